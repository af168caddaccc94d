package dev.modhttp.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged demo jar started from the code Spring's AOT processing generated at build time
 * ({@code process-aot} in this module's pom), as the README's faster start runs it:
 * {@code java -Dspring.aot.enabled=true -jar demo-app.jar}. Spring then registers the beans from
 * that code instead of parsing the configuration classes and their conditions; the engine, its
 * {@code @PhaseHandler} beans, the WebSocket endpoint, tracing and Actuator on the management port
 * must all still be there. Without the generated code the start fails, so this fails too. It
 * runs the jar extracted as the README's small-footprint recipe does, with the JVM flags it
 * gives, so a flag this JVM refuses, or an extracted form that does not start, fails it as well.
 */
@Timeout(180)
class DemoAotIT {

    private static final Pattern STARTED = Pattern.compile("Engine started on port\\(s\\) \\[(\\d+), (\\d+)]");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The flags of the README's small-footprint line that ends with {@code tail}. */
    static List<String> readmeFlags(String tail) throws IOException {
        String line = Files.readAllLines(Path.of(System.getProperty("readme", "../README.md"))).stream()
                .filter(l -> l.startsWith("java -XX:+UseSerialGC ") && l.endsWith(tail)).findFirst()
                .orElseThrow(() -> new AssertionError("the README's small-footprint command ending '" + tail + "' is gone"));
        return List.of(line.substring("java ".length(), line.length() - tail.length()).split(" "));
    }

    @Test
    void theAheadOfTimeProcessedJarServesEveryPartOfTheDemo(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("demo.jar", "target/demo-app.jar"));
        assertThat(jar).as("built by the package phase").exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the README's extracted form: java -Djarmode=tools -jar app.jar extract --destination application
        Process extract = new ProcessBuilder(java, "-Djarmode=tools", "-jar", jar.toAbsolutePath().toString(), "extract",
                "--destination", "application").directory(dir.toFile()).redirectErrorStream(true).start();
        String extracted = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(extract.waitFor()).as(extracted).isZero();
        List<String> flags = readmeFlags(" -jar application/app.jar");
        assertThat(flags).as("the same flags for the jar and for its extracted form")
                .isEqualTo(readmeFlags(" -jar app.jar"));
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(flags);
        command.addAll(List.of("-Dspring.aot.enabled=true", "-jar",
                dir.resolve("application").resolve(jar.getFileName()).toString(), "--server.port=0",
                "--management.server.port=0"));
        Process app = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuffer log = new StringBuffer();
        CompletableFuture<int[]> ports = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(app.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    log.append(line).append('\n');
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
                    }
                }
            } catch (IOException e) {
                ports.completeExceptionally(e);
            }
            ports.completeExceptionally(new IllegalStateException("the demo ended before it started:\n" + log));
        }, "demo-log");
        reader.start();
        try {
            int[] p = ports.get(120, TimeUnit.SECONDS);
            assertThat(log.toString()).as("Spring Boot names an AOT-processed start").contains(
                    "Starting AOT-processed DemoApplication");
            String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
            HttpResponse<String> hi = get(p[0], "/hi", "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
            assertThat(hi.statusCode()).isEqualTo(200);
            assertThat(hi.body()).isEqualTo("hi");
            assertThat(get(p[0], "/hello").body()).matches("jizhao Visited Times:\\d+");
            HttpResponse<String> denied = get(p[0], "/private/x");
            assertThat(denied.statusCode()).as("the ACCESS @PhaseHandler bean, then error-page").isEqualTo(403);
            assertThat(denied.body()).isEqualTo("go away");
            assertThat(get(p[0], "/private/x", "X-Demo-Token", "letmein").body()).isEqualTo("secret stuff");
            assertThat(get(p[0], "/report").body()).contains("not the event loop");
            HttpResponse<String> health = get(p[1], "/actuator/health/readiness");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(p[1], "/actuator/prometheus").body())
                    .containsPattern("http_server_requests_seconds_count\\{.*location=\"= /hi\".*}");
            BlockingQueue<String> heard = new LinkedBlockingQueue<>();
            WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + p[0] + "/ws/echo"),
                    new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            heard.add(data.toString());
                            w.request(1);
                            return null;
                        }
                    }).join();
            ws.sendText("ahead of time", true).join();
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("ahead of time");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            long deadline = System.nanoTime() + 5_000_000_000L; // the access log is written off the event loop
            while (!log.toString().contains("trace=" + trace) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(log.toString()).as("the tracing bridge").containsPattern(
                    "\"GET /hi HTTP/1.1\" 200 2 .* trace=" + trace);
        } finally {
            app.destroy();
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            reader.join(10_000);
        }
        assertThat(log.toString()).as("a graceful stop, nothing logged as an error").doesNotContain(" ERROR ");
    }
}
