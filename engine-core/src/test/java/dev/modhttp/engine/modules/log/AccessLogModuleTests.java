package dev.modhttp.engine.modules.log;

import static dev.modhttp.engine.test.LogFiles.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** access-log: nginx's formats and escaping, conditions, off, rejected requests, loggers, reopening. */
@Timeout(30)
class AccessLogModuleTests {

    @TempDir
    Path dir;

    String yaml() {
        return """
                log-format:
                  short: '$request_method $uri $status $body_bytes_sent "$http_x_note"'
                  json: 'escape=json {"uri":"$uri","note":"$http_x_note","missing":"$http_nope"}'
                  limits: '$status $limit_req_status $limit_conn_status'
                access-log: ["%1$s/access.log"]
                limit-req-zone: ["$remote_addr zone=slow:1m rate=1r/m"]
                limit-conn-zone: ["$remote_addr zone=conn:1m"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        return: "200 hello"
                      - location: /short/
                        access-log: ["%1$s/short.log short", "%1$s/json.log json"]
                        return: "200 short"
                      - location: /health
                        access-log: off
                        return: "200 up"
                      - location: /only-errors/
                        access-log: ["%1$s/errors.log short if=$arg_log"]
                      - location: /limited/
                        limit-req: ["zone=slow"]
                        limit-conn: ["conn 10"]
                        limit-req-log-level: info
                        access-log: ["%1$s/limits.log limits"]
                      - location: /logger/
                        access-log: ["logger:test.access short"]
                        return: "200 logged"
                """.formatted(dir);
    }

    static RawClient.Response send(TestEngine e, String request) {
        try (RawClient c = e.raw()) {
            return c.send(request).read();
        }
    }

    @Test
    void theCombinedFormatIsNginxs() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            send(e, "GET /a?b=1 HTTP/1.1\r\nHost: h\r\nReferer: http://r/\r\nUser-Agent: agent \"x\"\r\n"
                    + "Authorization: Basic dXNlcjpwYXNz\r\n\r\n");
            List<String> lines = lines(dir.resolve("access.log"), 1);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).matches("127\\.0\\.0\\.1 - user \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}] "
                    + "\"GET /a\\?b=1 HTTP/1\\.1\" 200 5 \"http://r/\" \"agent \\\\x22x\\\\x22\"");
        }
    }

    @Test
    void ownFormatsEscapeAsNginxDoesAndJsonEscapesAsJson() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            send(e, "GET /short/%C3%A9 HTTP/1.1\r\nHost: h\r\nX-Note: say \"hi\"\\\r\n\r\n");
            assertThat(lines(dir.resolve("short.log"), 1))
                    .containsExactly("GET /short/\\xC3\\xA9 200 5 \"say \\x22hi\\x22\\x5C\"");
            assertThat(lines(dir.resolve("json.log"), 1))
                    .containsExactly("{\"uri\":\"/short/\u00e9\",\"note\":\"say \\\"hi\\\"\\\\\",\"missing\":\"\"}");
            assertThat(lines(dir.resolve("access.log"), 0)).isEmpty(); // the location's logs replace the main one
        }
    }

    @Test
    void aRequestsOwnBytesAreLoggedByteByByteAndTheUriAsItsUtf8() throws Exception {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
            raw.writeBytes("GET /short/%C3%A9 HTTP/1.1\r\nHost: h\r\nX-Note: a".getBytes(StandardCharsets.US_ASCII));
            raw.writeBytes(new byte[] {(byte) 0xFF, ' ', (byte) 0xC3, (byte) 0xA9});
            raw.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.send(raw.toByteArray()).read().status()).isEqualTo(200);
            assertThat(lines(dir.resolve("short.log"), 1))
                    .containsExactly("GET /short/\\xC3\\xA9 200 5 \"a\\xFF \\xC3\\xA9\"");
        }
    }

    @Test
    void offAndConditionsLeaveRequestsOut() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            send(e, "GET /health HTTP/1.1\r\nHost: h\r\n\r\n");
            send(e, "GET /only-errors/x HTTP/1.1\r\nHost: h\r\n\r\n");
            send(e, "GET /only-errors/y?log=0 HTTP/1.1\r\nHost: h\r\n\r\n");
            send(e, "GET /only-errors/z?log=1 HTTP/1.1\r\nHost: h\r\n\r\n");
            send(e, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(lines(dir.resolve("errors.log"), 1)).containsExactly("GET /only-errors/z 404 148 \"-\"");
            assertThat(lines(dir.resolve("access.log"), 1)).hasSize(1).allMatch(l -> l.contains("\"GET /after HTTP/1.1\""));
        }
    }

    @Test
    void requestsRejectedBeforeALocationWasChosenAreLogged() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            send(e, "GET /x HTTP/1.1\r\n\r\n"); // no Host: 400
            send(e, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: h\r\n\r\n"); // 414
            send(e, "GET /x HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n"); // 431
            List<String> lines = lines(dir.resolve("access.log"), 3);
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).contains("\"GET /x HTTP/1.1\" 400 ");
            assertThat(lines.get(1)).contains(" 414 ");
            assertThat(lines.get(2)).contains(" 431 ");
        }
    }

    @Test
    void limitOutcomesAreLogged() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            send(e, "GET /limited/a HTTP/1.1\r\nHost: h\r\n\r\n");
            send(e, "GET /limited/b HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(lines(dir.resolve("limits.log"), 2)).containsExactly("404 PASSED PASSED", "503 REJECTED -");
        }
    }

    @Test
    void aLoggerTargetWritesThroughSlf4j() throws Exception {
        MemoryAppender.clear();
        try (TestEngine e = TestEngine.start(yaml())) {
            send(e, "GET /logger/x HTTP/1.1\r\nHost: h\r\n\r\n");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (MemoryAppender.lines().stream().noneMatch(l -> l.contains("GET /logger/x 200"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(MemoryAppender.lines()).contains("INFO GET /logger/x 200 6 \"-\"");
    }

    @Test
    void theReloadHookReopensFilesForLogRotation() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            send(e, "GET /one HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(lines(dir.resolve("access.log"), 1)).hasSize(1);
            Files.move(dir.resolve("access.log"), dir.resolve("access.log.1"));
            e.engine().reload();
            send(e, "GET /two HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(lines(dir.resolve("access.log"), 1)).hasSize(1).allMatch(l -> l.contains("/two"));
            assertThat(lines(dir.resolve("access.log.1"), 1)).hasSize(1).allMatch(l -> l.contains("/one"));
        }
    }

    @Test
    void everyLineOfABurstArrivesInOrder() throws Exception {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            StringBuilder pipelined = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                pipelined.append("GET /short/").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
            }
            c.send(pipelined.toString());
            for (int i = 0; i < 500; i++) {
                c.read();
            }
            List<String> lines = lines(dir.resolve("short.log"), 500);
            assertThat(lines).hasSize(500);
            for (int i = 0; i < 500; i++) {
                assertThat(lines.get(i)).startsWith("GET /short/" + i + " ");
            }
        }
    }

    @Test
    void concurrentClientsLoseNoLine() throws Exception {
        int clients = 8;
        int each = 300;
        try (TestEngine e = TestEngine.start(yaml())) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < clients; t++) {
                int client = t;
                done.add(pool.submit(() -> {
                    try (RawClient c = e.raw()) {
                        for (int i = 0; i < each; i++) {
                            assertThat(c.send("GET /short/" + client + "-" + i + " HTTP/1.1\r\nHost: h\r\n\r\n").read()
                                    .status()).isEqualTo(200);
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            List<String> lines = lines(dir.resolve("short.log"), clients * each);
            assertThat(lines).hasSize(clients * each).doesNotHaveDuplicates();
        }
    }

    @Test
    void badSettingsFailStartupNamingTheKey() {
        assertThatThrownBy(() -> TestEngine.start(yaml().replace("short.log short", "short.log nosuch")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("engine.servers[0].locations[1].access-log: unknown log format 'nosuch'");
        assertThatThrownBy(() -> TestEngine.start(yaml().replace("$uri $status", "$uri $stauts")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown variable \"$stauts\"");
        assertThatThrownBy(() -> TestEngine.start(yaml().replace(dir + "/access.log", "/nonexistent/dir/a.log")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot open '/nonexistent/dir/a.log' for writing");
    }
}
