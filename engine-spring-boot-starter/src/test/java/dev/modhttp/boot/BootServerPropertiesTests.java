package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

/**
 * Boot's server properties where the engine's configuration does not say otherwise:
 * server.address, server.max-http-request-header-size, server.compression.* and
 * spring.threads.virtual.enabled, checked over real sockets.
 */
@Timeout(60)
class BootServerPropertiesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EngineAutoConfiguration.class))
            .withPropertyValues("server.port=0", "engine.servers[0].locations[0].location=/",
                    "engine.servers[0].locations[0].return=200 " + "x".repeat(3000),
                    "engine.servers[0].locations[0].default-type=text/plain");

    static int port(ApplicationContext context) {
        return context.getEnvironment().getProperty("local.server.port", Integer.class);
    }

    /** The raw response to {@code request} on {@code host:port}. */
    static String exchange(String host, int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16384];
            int n = in.read(buf);
            return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
    }

    static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void serverAddressIsWhereTheServersWithoutListenListen() {
        runner.withPropertyValues("server.address=127.0.0.1").run(context -> {
            int port = port(context);
            assertThat(exchange("127.0.0.1", port, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")).startsWith("HTTP/1.1 200");
            assertThat(accepts("127.0.0.2", port)).as("bound to 127.0.0.1 only").isFalse();
        });
        runner.run(context -> assertThat(accepts("127.0.0.2", port(context))).as("no server.address: every address")
                .isTrue());
    }

    @Test
    void maxHttpRequestHeaderSizeBoundsTheHead() {
        String big = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(3000) + "\r\n\r\n";
        runner.withPropertyValues("server.max-http-request-header-size=2KB").run(context -> {
            assertThat(exchange("127.0.0.1", port(context), big)).startsWith("HTTP/1.1 431");
            assertThat(exchange("127.0.0.1", port(context), "GET / HTTP/1.1\r\nHost: h\r\nX-Small: s\r\n\r\n"))
                    .startsWith("HTTP/1.1 200");
        });
        runner.run(context -> assertThat(exchange("127.0.0.1", port(context), big)).as("the engine's 4 8k")
                .startsWith("HTTP/1.1 200"));
        runner.withPropertyValues("server.max-http-request-header-size=10MB").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("server.max-http-request-header-size"));
        runner.withPropertyValues("server.max-http-request-header-size=2KB",
                "engine.large-client-header-buffers=4 8k").run(context ->
                assertThat(exchange("127.0.0.1", port(context), big)).as("the engine's key wins").startsWith("HTTP/1.1 200"));
    }

    @Test
    void serverCompressionTurnsGzipOnWithBootsTypesMinimumSizeAndExcludedUserAgents() {
        String get = "GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n";
        runner.withPropertyValues("server.compression.enabled=true").run(context ->
                assertThat(exchange("127.0.0.1", port(context), get)).containsIgnoringCase("Content-Encoding: gzip"));
        runner.withPropertyValues("server.compression.enabled=true", "server.compression.min-response-size=4KB")
                .run(context -> assertThat(exchange("127.0.0.1", port(context), get)).as("3000 bytes < 4KB")
                        .doesNotContainIgnoringCase("Content-Encoding"));
        runner.withPropertyValues("server.compression.enabled=true", "server.compression.mime-types=application/json")
                .run(context -> assertThat(exchange("127.0.0.1", port(context), get)).as("text/plain is not listed")
                        .doesNotContainIgnoringCase("Content-Encoding"));
        runner.run(context -> assertThat(exchange("127.0.0.1", port(context), get)).as("Boot's default: off")
                .doesNotContainIgnoringCase("Content-Encoding"));
        // each a whole User-Agent without case, as Boot's Reactor Netty server compares them: gzip-disable
        runner.withPropertyValues("server.compression.enabled=true",
                "server.compression.excluded-user-agents=curl/8.1,Mozilla/5.0 (X11; a+b)").run(context -> {
                    String agent = get.replace("\r\n\r\n", "\r\nUser-Agent: %s\r\n\r\n");
                    int port = port(context);
                    assertThat(exchange("127.0.0.1", port, agent.formatted("curl/8.1"))).doesNotContainIgnoringCase("Content-Encoding");
                    assertThat(exchange("127.0.0.1", port, agent.formatted("CURL/8.1"))).doesNotContainIgnoringCase("Content-Encoding");
                    assertThat(exchange("127.0.0.1", port, agent.formatted("Mozilla/5.0 (X11; a+b)")))
                            .doesNotContainIgnoringCase("Content-Encoding");
                    assertThat(exchange("127.0.0.1", port, agent.formatted("curl/8.10"))).as("the whole value, not a part")
                            .containsIgnoringCase("Content-Encoding: gzip");
                    assertThat(exchange("127.0.0.1", port, agent.formatted("Mozilla/5.0 (X11; aab)"))).as("characters literal")
                            .containsIgnoringCase("Content-Encoding: gzip");
                });
    }

    @Test
    void springThreadsVirtualEnabledDecidesWhereBlockingHandlersRun() {
        runner.run(context -> assertThat(context.getBean(Engine.class).blockingOnVirtualThreads())
                .as("Boot's default: platform threads").isFalse());
        runner.withPropertyValues("spring.threads.virtual.enabled=true").run(context ->
                assertThat(context.getBean(Engine.class).blockingOnVirtualThreads())
                        .as("virtual threads where the JVM has them").isEqualTo(Runtime.version().feature() >= 21));
    }
}
