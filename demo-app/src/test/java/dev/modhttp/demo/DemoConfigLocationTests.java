package dev.modhttp.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** The demo started with --spring.config.location=file:PATH.yml serves that file's configuration alone. */
@Timeout(30)
class DemoConfigLocationTests {

    @TempDir
    Path dir;

    @Test
    void aConfigFileGivenOnTheCommandLineReplacesTheBundledOne() throws Exception {
        Path yml = Files.writeString(dir.resolve("alt.yml"), """
                engine:
                  servers:
                    - listen: ["127.0.0.1:0"]
                      locations:
                        - location: /
                          return: "200 from the file"
                """);
        try (ConfigurableApplicationContext context = SpringApplication.run(DemoApplication.class,
                "--spring.config.location=file:" + yml)) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("from the file"); // the bundled /hello location is gone
        }
    }
}
