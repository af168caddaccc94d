package dev.modhttp.engine.modules.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** stub-status answers in nginx's text format with the engine's counts. */
@Timeout(30)
class StubStatusModuleTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: = /status
                    stub-status: on
                  - location: /
                    return: "200 ok"
            """;

    static final Pattern FORMAT = Pattern.compile("""
            Active connections: (\\d+) \\n\
            server accepts handled requests\\n \
            (\\d+) (\\d+) (\\d+) \\n\
            Reading: (\\d+) Writing: (\\d+) Waiting: (\\d+) \\n""");

    @Test
    void theStatusPageHasNginxsFormatAndCounts() {
        try (TestEngine e = TestEngine.start(YAML); RawClient idle = e.raw(); RawClient c = e.raw()) {
            assertThat(idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("ok"); // now waiting
            RawClient.Response r = c.send("GET /status HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("text/plain");
            Matcher m = FORMAT.matcher(r.body());
            assertThat(m.matches()).as(r.body()).isTrue();
            assertThat(m.group(1)).isEqualTo("2");
            assertThat(m.group(2)).isEqualTo("2");
            assertThat(m.group(3)).isEqualTo("2");
            assertThat(m.group(4)).isEqualTo("2");
            assertThat(m.group(6)).isEqualTo("1"); // this request
            assertThat(m.group(7)).isEqualTo("1"); // the idle keep-alive connection
            Matcher again = FORMAT.matcher(c.send("GET /status HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            assertThat(again.matches()).isTrue();
            assertThat(again.group(4)).isEqualTo("3");
            assertThat(c.send("POST /status HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read().status())
                    .isEqualTo(405);
        }
    }

    @Test
    void theStatusPageDoesNotWaitForARequestBody() {
        // nginx's stub_status discards the body: the page comes before the body does
        try (TestEngine e = TestEngine.start("client-body-timeout: 60s\n" + YAML); RawClient c = e.raw().timeout(5000)) {
            RawClient.Response r = c.send("GET /status HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n").read();
            assertThat(FORMAT.matcher(r.body()).matches()).as(r.body()).isTrue();
            c.send("abc");
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("ok");
        }
    }
}
