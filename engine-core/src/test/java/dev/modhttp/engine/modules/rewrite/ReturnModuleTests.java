package dev.modhttp.engine.modules.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReturnModuleTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: "/hello"
                    return: { status: 200, body: "Hello, World!" }
                  - location: "/old"
                    return: "301 /new"
                  - location: "/gone"
                    return: 410
                  - location: "/teapot"
                    return: "418 short and stout"
                  - location: "/page.html"
                    return: "200 <p>typed by the extension</p>"
                  - location: "/nothing"
                    return: "204"
                  - location: "/line"
                    return: "200  ok\\n"
            """;

    @Test
    void returnsTheTextWithTheStatus() {
        try (TestEngine e = TestEngine.start(YAML)) {
            HttpResponse<String> r = e.http().get("/hello");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("Hello, World!");
            // typed as nginx types it: by the URI's extension, else default-type
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
            assertThat(e.http().get("/page.html").headers().firstValue("Content-Type")).hasValue("text/html");
            HttpResponse<String> none = e.http().get("/nothing");
            assertThat(none.statusCode()).isEqualTo(204);
            assertThat(none.headers().firstValue("Content-Type")).isEmpty();
            assertThat(r.headers().firstValue("Server")).hasValue("modhttp");
            assertThat(r.headers().firstValue("Date")).isPresent();
        }
    }

    @Test
    void standardHeaderNamesGoOutInTheirUsualSpelling() {
        try (TestEngine e = TestEngine.start(YAML); RawClient c = e.raw()) {
            c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            String head = new String(c.timeout(1000).readToEnd(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(head).contains("\r\nServer: modhttp\r\n", "\r\nContent-Type: application/octet-stream\r\n",
                    "\r\nContent-Length: 13\r\n", "\r\nDate: ");
        }
    }

    @Test
    void redirectBodyBecomesTheAbsoluteLocation() {
        try (TestEngine e = TestEngine.start(YAML); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /old HTTP/1.1\r\nHost: example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("Location")).isEqualTo("http://example.com:" + e.port() + "/new"); // nginx adds a port other than 80
            assertThat(r.body()).contains("<title>301 Moved Permanently</title>");
        }
    }

    @Test
    void statusWithoutTextGetsTheStandardErrorPage() {
        try (TestEngine e = TestEngine.start(YAML)) {
            HttpResponse<String> r = e.http().get("/gone");
            assertThat(r.statusCode()).isEqualTo(410);
            assertThat(r.body()).contains("<h1>410 Gone</h1>").doesNotContain("Exception");
            HttpResponse<String> t = e.http().get("/teapot");
            assertThat(t.statusCode()).isEqualTo(418);
            assertThat(t.body()).isEqualTo("short and stout");
        }
    }

    @Test
    void theOneLineFormKeepsTheTextToItsLastByte() {
        // nginx: return 200 "ok\n"; answers three bytes, the newline included
        try (TestEngine e = TestEngine.start(YAML)) {
            HttpResponse<String> r = e.http().get("/line");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok\n");
        }
    }
}
