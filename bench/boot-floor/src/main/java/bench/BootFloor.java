package bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A Spring Boot application whose only server is the JDK's HttpServer, answering GET /hello on
 * server.port once the context is refreshed: how soon any Boot application can answer here.
 */
@SpringBootApplication
public class BootFloor {

    public static void main(String[] args) {
        SpringApplication.run(BootFloor.class, args);
    }

    @Bean
    ApplicationRunner server(Environment env) {
        return args -> {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1",
                    env.getProperty("server.port", Integer.class, 8080)), 64);
            server.createContext("/hello", exchange -> {
                byte[] body = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                } catch (IOException e) {
                    // the client went away
                }
            });
            server.start();
        };
    }
}
