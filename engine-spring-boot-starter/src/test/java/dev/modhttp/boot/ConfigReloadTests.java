package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.Engine;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Reloads from the application's own config file: an edit of the file (with
 * {@code engine.reload.watch}), SIGHUP (with {@code engine.reload.sighup}) or a {@code POST} to
 * the engine's actuator location reads it again; under load nothing is lost and each body is
 * seen only in its own generation; an edit that breaks the configuration is refused naming the
 * property and the file's line, and the old configuration goes on serving.
 */
@Timeout(120)
class ConfigReloadTests {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
    }

    @TempDir
    Path dir;

    private static String yaml(String body) {
        return """
                engine:
                  servers:
                    - listen: ["127.0.0.1:0"]
                      locations:
                        - location: /
                          return: "200 %s"
                        - location: /actuator/
                          actuator: on
                """.formatted(body);
    }

    private ConfigurableApplicationContext start(Path config, String... more) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        List<String> args = new ArrayList<>(List.of("--spring.config.location=file:" + config));
        args.addAll(List.of(more));
        return app.run(args.toArray(String[]::new));
    }

    /** Replaces the file as an editor does: written beside it, then renamed over it. */
    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private record Seen(long sentAt, long readAt, int status, String body) {
    }

    @Test
    void tenEditsOfTheFileUnderLoadLoseNothingAndEachBodyIsSeenOnlyInItsOwnGeneration() throws Exception {
        Path config = dir.resolve("application.yml");
        write(config, yaml("A"));
        try (ConfigurableApplicationContext context = start(config, "--engine.reload.watch=true")) {
            Engine engine = context.getBean(Engine.class);
            int port = engine.ports().get(0);
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong connections = new AtomicLong();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 64; c++) {
                Thread t = new Thread(() -> load(port, stop, seen, failure, connections), "load-" + c);
                t.start();
                clients.add(t);
            }
            waitFor(() -> seen.size() > 500, 10_000);
            List<long[]> edits = new ArrayList<>(); // written at, new body first read at
            for (int i = 1; i <= 10; i++) {
                String body = i % 2 == 1 ? "B" : "A";
                long writtenAt = System.nanoTime();
                write(config, yaml(body));
                long[] firstNew = {0};
                waitFor(() -> {
                    firstNew[0] = seen.stream().filter(s -> s.sentAt() > writtenAt && s.body().equals(body))
                            .mapToLong(Seen::readAt).min().orElse(0);
                    return firstNew[0] != 0;
                }, 5_000);
                edits.add(new long[] {writtenAt, firstNew[0]});
                assertThat(TimeUnit.NANOSECONDS.toMillis(firstNew[0] - writtenAt))
                        .as("edit %d served within 1 s of the file's change", i).isLessThan(1000);
                Thread.sleep(200);
            }
            stop.set(true);
            long[] lags = edits.stream().mapToLong(e -> TimeUnit.NANOSECONDS.toMillis(e[1] - e[0])).sorted().toArray();
            System.out.printf("reload by file watch under load: %d responses on %d connections, edit to first new"
                    + " body median %d ms, max %d ms%n", seen.size(), connections.get(), lags[lags.length / 2],
                    lags[lags.length - 1]);
            for (Thread t : clients) {
                t.join(15_000);
            }
            assertThat(failure.get()).as("a client's socket error").isNull();
            assertThat(seen).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
            for (Seen s : seen) {
                // which file's body it may show: the one written last before it was sent, unless the next
                // edit's swap may have come before it was answered; after an edit was seen served, the new one
                int current = 0;
                for (int i = 0; i < edits.size(); i++) {
                    if (edits.get(i)[1] <= s.sentAt()) {
                        current = i + 1; // that edit's generation served before this request was sent
                    }
                }
                String expected = current % 2 == 1 ? "B" : "A";
                boolean nextMayHaveAnswered = current < edits.size() && edits.get(current)[0] <= s.readAt();
                if (!nextMayHaveAnswered) {
                    assertThat(s.body()).as("request sent %d ms after the start", s.sentAt() / 1_000_000)
                            .isEqualTo(expected);
                }
            }
            assertThat(engine.reloads().applied()).isEqualTo(10);
            assertThat(engine.reloads().refused()).isZero();
            assertThat(engine.status().accepted()).as("no connection but the clients'").isEqualTo(connections.get());
        }
    }

    /** One client: keep-alive requests; after a Connection: close (keepalive-requests reached), a new connection. */
    private static void load(int port, AtomicBoolean stop, ConcurrentLinkedQueue<Seen> seen,
            AtomicReference<Throwable> failure, AtomicLong connections) {
        while (!stop.get() && failure.get() == null) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                connections.incrementAndGet();
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                boolean open = true;
                while (open && !stop.get()) {
                    long sent = System.nanoTime();
                    out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String[] response = readResponse(in);
                    seen.add(new Seen(sent, System.nanoTime(), Integer.parseInt(response[0]), response[1]));
                    open = response[2] == null;
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /** Status, body and (when the engine closes after it) "close" of one response with Content-Length. */
    private static String[] readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed by the server after " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        String close = null;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
            close = line.equalsIgnoreCase("Connection: close") ? "close" : close;
        }
        byte[] body = in.readNBytes(length);
        return new String[] {text.substring(9, 12), new String(body, StandardCharsets.UTF_8), close};
    }

    @Test
    void anEditThatBreaksTheConfigurationIsRefusedWithItsFileAndLineAndTheOldOneServes() throws Exception {
        Path config = dir.resolve("application.yml");
        write(config, yaml("A"));
        try (ConfigurableApplicationContext context = start(config, "--engine.reload.watch=true")) {
            Engine engine = context.getBean(Engine.class);
            int port = engine.ports().get(0);
            write(config, yaml("A").replace("return: \"200 A\"", "return: \"200 B\"\n          client-max-body-size: lots"));
            waitFor(() -> engine.reloads().refused() == 1, 5_000);
            assertThat(engine.reloads().lastError())
                    .contains("engine.servers[0].locations[0].client-max-body-size")
                    .contains(config.getFileName().toString()).contains("7:");
            assertThat(get(port, "/")).isEqualTo("A");
            write(config, yaml("C"));
            waitFor(() -> engine.reloads().applied() == 1, 5_000);
            assertThat(get(port, "/")).isEqualTo("C");
        }
    }

    @Test
    void aFileCaughtEmptyIsRefusedAndTheFileRestoredIsPickedUp() throws Exception {
        Path config = dir.resolve("application.yml");
        write(config, yaml("A"));
        try (ConfigurableApplicationContext context = start(config, "--engine.reload.watch=true")) {
            Engine engine = context.getBean(Engine.class);
            int port = engine.ports().get(0);
            write(config, "");
            waitFor(() -> engine.reloads().refused() == 1, 5_000);
            assertThat(engine.reloads().lastError()).contains("no servers");
            assertThat(get(port, "/")).isEqualTo("A");
            write(config, yaml("B"));
            waitFor(() -> engine.reloads().applied() == 1, 5_000);
            assertThat(get(port, "/")).isEqualTo("B");
        }
    }

    @Test
    void aKubernetesConfigMapSwappingItsDataLinkIsSeen() throws Exception {
        // a ConfigMap volume: application.yml -> ..data/application.yml, ..data -> ..v1, swapped to ..v2 at once
        Files.createDirectories(dir.resolve("..v1"));
        Files.createDirectories(dir.resolve("..v2"));
        Files.writeString(dir.resolve("..v1/application.yml"), yaml("v1"));
        Files.writeString(dir.resolve("..v2/application.yml"), yaml("v2"));
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
        Path config = dir.resolve("application.yml");
        Files.createSymbolicLink(config, Path.of("..data/application.yml"));
        try (ConfigurableApplicationContext context = start(config, "--engine.reload.watch=true")) {
            Engine engine = context.getBean(Engine.class);
            int port = engine.ports().get(0);
            assertThat(get(port, "/")).isEqualTo("v1");
            Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            waitFor(() -> engine.reloads().applied() == 1, 5_000);
            assertThat(get(port, "/")).isEqualTo("v2");
        }
    }

    @Test
    void sighupAndAPostToTheEngineEndpointReadTheFileAgain() throws Exception {
        Path config = dir.resolve("application.yml");
        write(config, yaml("A"));
        try (ConfigurableApplicationContext context = start(config, "--engine.reload.sighup=true",
                "--management.endpoints.web.exposure.include=engine")) {
            Engine engine = context.getBean(Engine.class);
            int port = engine.ports().get(0);
            write(config, yaml("B"));
            Thread.sleep(300); // no watch: nothing changes by itself
            assertThat(get(port, "/")).isEqualTo("A");
            new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            waitFor(() -> engine.reloads().applied() == 1, 5_000);
            assertThat(get(port, "/")).isEqualTo("B");
            write(config, yaml("C"));
            HttpURLConnection post = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/actuator/engine")
                    .toURL().openConnection();
            post.setRequestMethod("POST");
            assertThat(post.getResponseCode()).isEqualTo(200);
            String answer = new String(post.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).contains("\"applied\":true").contains("\"generation\":3");
            assertThat(get(port, "/")).isEqualTo("C");
        }
    }

    private static String get(int port, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void waitFor(BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waited %d ms", millis).isNegative();
            Thread.sleep(10);
        }
    }
}
