package dev.modhttp.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The demo end to end, over a real socket, as a reader would try it with curl. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
@Timeout(30)
class DemoApplicationTests {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    }

    @Test
    void theAccessLogLineOfARequestWithATraceparentCarriesItsTraceId(CapturedOutput output) throws Exception {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertThat(send(get("/hi").header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01")).statusCode())
                .isEqualTo(200);
        long deadline = System.nanoTime() + 5_000_000_000L; // the log is written off the event loop
        while (!output.getOut().contains("trace=" + trace) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(output.getOut()).containsPattern("\"GET /hi HTTP/1.1\" 200 2 .* trace=" + trace);
    }

    @Test
    void actuatorIsServedByTheEngineOnTheManagementPort() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(send(get("/hi")).statusCode()).isEqualTo(200);
        HttpResponse<String> health = send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness")));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
        HttpResponse<String> prometheus = send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")));
        assertThat(prometheus.body()).containsPattern("http_server_requests_seconds_count\\{.*location=\"= /hi\".*}");
        assertThat(send(get("/actuator/health")).statusCode()).as("not on the application's port").isEqualTo(404);
    }

    @Test
    void helloCountsItsVisitsPerLocation() throws Exception {
        HttpResponse<String> first = send(get("/hello"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(first.body()).matches("jizhao Visited Times:\\d+");
        long n = Long.parseLong(first.body().replaceAll("\\D", ""));
        assertThat(send(get("/hello")).body()).isEqualTo("jizhao Visited Times:" + (n + 1));
        assertThat(send(get("/hi")).body()).isEqualTo("hi");
    }

    @Test
    void helloAnswersHeadWithTheLengthAndRefusesOtherMethods() throws Exception {
        HttpResponse<String> head = send(get("/hi").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.headers().firstValue("Content-Length")).hasValue("2");
        assertThat(head.body()).isEmpty();
        HttpResponse<String> post = send(get("/hi").POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void returnsRedirectsAndTheOverriddenBodyLimit() throws Exception {
        HttpResponse<String> old = send(get("/old-page"));
        assertThat(old.statusCode()).isEqualTo(301);
        assertThat(old.headers().firstValue("Location")).hasValue("http://127.0.0.1:" + port + "/hello");
        byte[] body = new byte[200 * 1024];
        assertThat(send(get("/upload/").POST(HttpRequest.BodyPublishers.ofByteArray(body))).statusCode())
                .isEqualTo(201);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("POST /hello HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + (100 * 1024)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 413"); // the server's 64k applies outside /upload/
        }
    }

    @Test
    void theAccessHandlerGuardsPrivateAndTheErrorPageExplains() throws Exception {
        HttpResponse<String> denied = send(get("/private/x"));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).isEqualTo("go away");
        HttpResponse<String> allowed = send(get("/private/x").header("X-Demo-Token", "letmein"));
        assertThat(allowed.body()).isEqualTo("secret stuff");
    }

    @Test
    void theBlockingHandlerTheHookAndTheFilterAreVisible() throws Exception {
        HttpResponse<String> report = send(get("/report"));
        assertThat(report.body()).contains("not the event loop");
        assertThat(report.headers().firstValue("X-Powered-By")).hasValue("modhttp-demo");
        assertThat(send(get("/.git/config")).statusCode()).isEqualTo(404);
    }

    @Test
    void theStatusPageAnswersThisMachineInNginxsFormat() throws Exception {
        HttpResponse<String> status = send(get("/status"));
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).startsWith("Active connections: ").contains("server accepts handled requests");
    }

    @Test
    void theEchoEndpointSendsTextAndBinaryMessagesBack() throws Exception {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/echo"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data,
                            boolean last) {
                        heard.add("text " + data);
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket w,
                            ByteBuffer data, boolean last) {
                        heard.add("binary " + data.remaining());
                        w.request(1);
                        return null;
                    }
                }).join();
        ws.sendText("hello, engine", true).join();
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("text hello, engine");
        ws.sendBinary(ByteBuffer.wrap(new byte[300]), true).join();
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("binary 300");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
    }

    @Test
    void unknownPathsAre404() throws IOException, Exception {
        assertThat(send(get("/nothing-here")).statusCode()).isEqualTo(404);
    }
}
