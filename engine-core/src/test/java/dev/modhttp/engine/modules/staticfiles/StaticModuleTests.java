package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** root, alias, index and the directory redirect; paths never leave their root. */
@Timeout(30)
class StaticModuleTests {

    @TempDir
    Path dir;
    Path root;
    byte[] big;

    @BeforeEach
    void files() throws IOException {
        big = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(big);
        Docroot.in(dir).file("secret.txt", "outside the root").file("assets/app.js", "console.log(1)");
        root = Docroot.in(dir.resolve("www")).file("hello.txt", "hello file").file("page.html", "<p>page</p>")
                .file("index.html", "root index").file("docs/index.htm", "docs index").dir("empty")
                .dir("dir with space").file("caf\u00e9.txt", "utf-8 name").file("noext", "no extension")
                .file("big.bin", big).symlink("escape.txt", dir.resolve("secret.txt")).path();
    }

    String yaml() {
        return Docroot.in(root).server("index: [index.html, index.htm]", """
                - location: /
                - location: /static/
                  alias: %s/
                - location: = /app
                  alias: %s/app.js
                """.formatted(dir.resolve("assets"), dir.resolve("assets")));
    }

    @Test
    void servesFilesWithTypeLengthAndLastModified() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            HttpResponse<String> r = e.http().get("/hello.txt");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello file");
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");
            assertThat(r.headers().firstValue("Content-Length")).hasValue("10");
            ZonedDateTime lm = ZonedDateTime.parse(r.headers().firstValue("Last-Modified").orElseThrow(),
                    DateTimeFormatter.RFC_1123_DATE_TIME);
            assertThat(lm.toInstant().getEpochSecond())
                    .isEqualTo(Files.getLastModifiedTime(root.resolve("hello.txt")).toInstant().getEpochSecond());
            assertThat(e.http().get("/page.html").headers().firstValue("Content-Type")).hasValue("text/html");
            assertThat(e.http().get("/noext").headers().firstValue("Content-Type")).hasValue("application/octet-stream");
            assertThat(e.http().get("/caf%C3%A9.txt").body()).isEqualTo("utf-8 name");
        }
    }

    @Test
    void typesAndDefaultTypeApplyPerScopeOnTopOfTheBuiltInTable() {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                    types: { txt: text/x-server-wide }
                    locations:
                      - location: /
                      - location: /noext
                        default-type: text/plain
                      - location: = /page.html
                        types: { bin: application/x-custom }
                """.formatted(root))) {
            assertThat(e.http().get("/hello.txt").headers().firstValue("Content-Type")).hasValue("text/x-server-wide");
            assertThat(e.http().get("/big.bin").headers().firstValue("Content-Type"))
                    .as("the built-in table still applies").hasValue("application/octet-stream");
            assertThat(e.http().get("/noext").headers().firstValue("Content-Type")).hasValue("text/plain");
            assertThat(e.http().get("/page.html").headers().firstValue("Content-Type"))
                    .as("an inner types map replaces the outer one; html comes from the built-in table")
                    .hasValue("text/html");
        }
    }

    @Test
    void aLargeFileArrivesWholeAndHeadGetsOnlyItsHeaders() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.bytes()).isEqualTo(big);
            RawClient.Response h = c.send("HEAD /big.bin HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(h.header("Content-Length")).isEqualTo(String.valueOf(big.length));
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("hello file");
        }
    }

    @Test
    void aLargeFileGoesThroughBodyFiltersInPieces() {
        try (TestEngine e = TestEngine.start(yaml(), b -> b.bodyFilter(0, (ex, chunk, last, next) -> {
            ex.response().headers().contains("X"); // a filter that only looks
            next.next(ex, chunk, last);
        })); RawClient c = e.raw()) {
            assertThat(c.send("GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n").read().bytes()).isEqualTo(big);
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("hello file");
        }
    }

    @Test
    void aFileUsedAsADirectoryIsNotFound() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /hello.txt/x HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).as("ENOTDIR, as nginx").isEqualTo(404);
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("hello file");
        }
    }

    @Test
    void indexFilesAreTriedInOrderByInternalRedirect() {
        try (TestEngine e = TestEngine.start(yaml())) {
            assertThat(e.http().get("/").body()).isEqualTo("root index");
            assertThat(e.http().get("/docs/").body()).isEqualTo("docs index");
            assertThat(e.http().get("/empty/").statusCode()).as("a directory without index").isEqualTo(403);
            assertThat(e.http().get("/missing/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aDirectoryWithoutTrailingSlashRedirectsToTheSlashForm() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /docs?x=1 HTTP/1.1\r\nHost: files.test:8080\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("Location")).isEqualTo("http://files.test:" + e.port() + "/docs/?x=1");
            RawClient.Response s = c.send("GET /dir%20with%20space HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(s.header("Location")).isEqualTo("http://h:" + e.port() + "/dir%20with%20space/");
        }
    }

    @Test
    void aliasReplacesTheLocationPrefix() {
        try (TestEngine e = TestEngine.start(yaml())) {
            assertThat(e.http().get("/static/app.js").body()).isEqualTo("console.log(1)");
            assertThat(e.http().get("/static/app.js").headers().firstValue("Content-Type")).hasValue("text/javascript");
            assertThat(e.http().get("/app").body()).isEqualTo("console.log(1)");
        }
    }

    @Test
    void noRequestCanReachAFileOutsideTheRoot() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            for (String attack : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/a/..%2F..%2Fsecret.txt",
                    "/%2E%2E%2Fsecret.txt", "/static/../../secret.txt", "/..%5Csecret.txt"}) {
                RawClient.Response r = c.send("GET " + attack + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(r.body()).as(attack).doesNotContain("outside the root");
                assertThat(r.status()).as(attack).isIn(400, 403, 404);
                if (r.status() == 400) {
                    break; // the connection closes after a 400
                }
            }
        }
        try (TestEngine e = TestEngine.start(yaml())) {
            HttpResponse<String> r = e.http().get("/escape.txt");
            assertThat(r.statusCode()).as("a symlink leading out of the root").isEqualTo(403);
            assertThat(r.body()).doesNotContain("outside the root");
        }
    }

    @Test
    void disableSymlinksChoosesWhichSymlinksAreFollowed() throws Exception {
        Files.createDirectories(root.resolve("real"));
        Files.writeString(root.resolve("real/inside.txt"), "inside the root");
        Files.createSymbolicLink(root.resolve("link-inside.txt"), root.resolve("real/inside.txt"));
        String yaml = yaml().replace("root: " + root, "root: " + root + "\n    disable-symlinks: MODE");
        try (TestEngine e = TestEngine.start(yaml.replace("MODE", "outside-root"))) {
            assertThat(e.http().get("/link-inside.txt").body()).isEqualTo("inside the root");
            assertThat(e.http().get("/escape.txt").statusCode()).isEqualTo(403);
        }
        try (TestEngine e = TestEngine.start(yaml.replace("MODE", "off"))) {
            assertThat(e.http().get("/escape.txt").body()).as("off follows every symlink, as nginx by default")
                    .isEqualTo("outside the root");
        }
        try (TestEngine e = TestEngine.start(yaml.replace("MODE", "on"))) {
            assertThat(e.http().get("/link-inside.txt").statusCode()).as("on refuses any symlink").isEqualTo(403);
            assertThat(e.http().get("/real/inside.txt").body()).isEqualTo("inside the root");
        }
    }

    @Test
    void onlyGetHeadAndPostAreServedAndPostToAFileIs405() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            assertThat(c.send("DELETE /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(405);
            assertThat(c.send("POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi").read().status())
                    .isEqualTo(405);
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("hello file");
        }
    }

    @Test
    void aFileIsServedWithoutWaitingForTheRequestBodyWhichIsThenDropped() {
        // nginx's static handler discards the body: it answers at once, client-body-timeout aside
        String yaml = yaml().replace("servers:", "client-body-timeout: 60s\nclient-max-body-size: 4\nservers:");
        try (TestEngine e = TestEngine.start(yaml); RawClient c = e.raw().timeout(5000)) {
            c.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n");
            assertThat(c.read().body()).as("before the body came").isEqualTo("hello file");
            c.send("abcd"); // read and dropped: the next request parses
            assertThat(c.send("GET /page.html HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("<p>page</p>");
            // a POST's body is not read either: 405, not 413 for a body past client-max-body-size
            c.send("POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(405);
            c.send("8\r\n12345678\r\n0\r\n\r\n");
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("hello file");
        }
    }

    @Test
    void aLargeChunkedBodyIsDroppedWholeAndTheConnectionGoesOn() {
        // nginx reads and drops it however large (within lingering-time); a reset mid-upload would lose the answer
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw().timeout(10_000)) {
            c.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 48; i++) { // 3 MiB
                c.send(chunk);
            }
            c.send("0\r\n\r\nGET /page.html HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response first = c.read();
            assertThat(first.body()).isEqualTo("hello file");
            assertThat(first.header("Connection")).isNull();
            assertThat(c.read().body()).as("the pipelined request after the body").isEqualTo("<p>page</p>");
        }
    }

    @Test
    void anErrorIsAnsweredWithout100ContinueAndTheBodyIsNotAskedFor() {
        // nginx's special response handler marks the expectation tested: no 100 before a 404 or 405
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw().timeout(5000)) {
            RawClient.Response r = c.send("GET /missing HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            c.send("hello"); // a client may still send it: dropped
            assertThat(c.send("POST /hello.txt HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\n").read().status()).isEqualTo(405);
            c.send("hello");
            // a file's 200 still asks for the body first, as nginx's static handler does
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\n").read().status()).isEqualTo(100);
            c.send("hello");
            assertThat(c.read().body()).isEqualTo("hello file");
        }
    }

    @Test
    void docrootAndPhysicalPathHooksSeeTheMappingAndCanFinishTheRequest() {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.modhttp.engine.module.Hook hook = new dev.modhttp.engine.module.Hook() {
            @Override
            public dev.modhttp.engine.module.HookResult docroot(dev.modhttp.engine.http.HttpExchange ex) {
                seen.add("docroot " + ex.attribute(dev.modhttp.engine.modules.staticfiles.StaticModule.DOCUMENT_ROOT));
                return dev.modhttp.engine.module.HookResult.GO_ON;
            }

            @Override
            public dev.modhttp.engine.module.HookResult physicalPath(dev.modhttp.engine.http.HttpExchange ex) {
                Path p = ex.attribute(dev.modhttp.engine.modules.staticfiles.StaticModule.PHYSICAL_PATH);
                seen.add("physicalPath " + p);
                return p.toString().endsWith(".html") ? dev.modhttp.engine.module.HookResult.finished(451)
                        : dev.modhttp.engine.module.HookResult.GO_ON;
            }
        };
        try (TestEngine e = TestEngine.start(yaml(), b -> b.hook(hook))) {
            assertThat(e.http().get("/hello.txt").body()).isEqualTo("hello file");
            assertThat(seen).containsExactly("docroot " + root, "physicalPath " + root.resolve("hello.txt"));
            assertThat(e.http().get("/page.html").statusCode()).isEqualTo(451);
        }
    }

    @Test
    void withoutRootNoFileIsServed() {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                """)) {
            assertThat(e.http().get("/etc/passwd").statusCode()).isEqualTo(404);
            // as nginx over a root that holds nothing: no index for "/", 405 for other methods
            assertThat(e.http().get("/").statusCode()).isEqualTo(404);
            assertThat(e.raw().send("PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read().status())
                    .isEqualTo(405);
        }
    }

    @Test
    void withTcpNopushFilesArriveWholeAndTheSocketIsUncorkedAfterwards() {
        String yaml = yaml().replace("root: ", "tcp-nopush: on\n    root: ")
                .replace("      - location: /\n", "      - location: /\n      - location: = /ping\n        return: \"200 pong\"\n");
        try (TestEngine e = TestEngine.start(yaml);
                RawClient c = e.raw()) {
            RawClient.Response file = c.send("GET /big.bin HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(file.bytes()).isEqualTo(big);
            // a socket left corked holds each small response back for 200 ms: 20 of them would take 4 s
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertThat(c.send("GET /ping HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("pong");
            }
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(2));
            RawClient.Response ranges = c.send("GET /big.bin HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9,-10\r\n\r\n").read();
            assertThat(ranges.status()).isEqualTo(206);
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("hello file");
        }
    }
}
