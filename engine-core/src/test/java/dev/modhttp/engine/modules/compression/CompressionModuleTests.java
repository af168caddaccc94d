package dev.modhttp.engine.modules.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** gzip as nginx's filter, brotli and zstd beside it: when each applies, what it sends, and what it leaves alone. */
@Timeout(30)
class CompressionModuleTests {

    @TempDir
    Path root;
    String page;
    byte[] big;

    @BeforeEach
    void files() throws Exception {
        page = "<html><body>" + "hello compression ".repeat(50) + "</body></html>";
        Files.writeString(root.resolve("page.html"), page);
        StringBuilder sb = new StringBuilder();
        Random random = new Random(5);
        while (sb.length() < 3_000_000) {
            sb.append("line ").append(random.nextInt(1000)).append('\n');
        }
        big = sb.toString().getBytes(StandardCharsets.US_ASCII);
        Files.write(root.resolve("big.txt"), big);
        Files.writeString(root.resolve("tiny.html"), "<p>x</p>");
    }

    String yaml() {
        return """
                gzip: on
                gzip-types: [text/plain]
                default-type: text/plain
                gzip-vary: on
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                    locations:
                      - location: /
                      - location: /text
                        return: "200 %s"
                      - location: /plain-off
                        gzip: off
                        return: "200 %s"
                """.formatted(root, "some text ".repeat(30), "some text ".repeat(30));
    }

    static RawClient.Response get(RawClient c, String path, String headers) {
        return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n").read();
    }

    static byte[] gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    @Test
    void acceptedResponsesOfListedTypesAreCompressedAndChunked() throws Exception {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = get(c, "/page.html", "Accept-Encoding: gzip, br\r\n");
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.header("Content-Length")).isNull();
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
            assertThat(r.header("ETag")).startsWith("W/\"");
            assertThat(r.header("Accept-Ranges")).as("no ranges of a compressed body").isNull();
            assertThat(new String(gunzip(r.bytes()), StandardCharsets.UTF_8)).isEqualTo(page);
            assertThat(r.bytes().length).isLessThan(page.length() / 4);
            RawClient.Response text = get(c, "/text", "Accept-Encoding: gzip\r\n");
            assertThat(new String(gunzip(text.bytes()), StandardCharsets.UTF_8)).isEqualTo("some text ".repeat(30));
        }
    }

    @Test
    void aRangeOfAResponseThatIsCompressedIsTheWholeCompressedBody() throws Exception {
        // nginx 1.22: its gzip filter clears Accept-Ranges before its range filter runs, so the range is not served
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = get(c, "/page.html", "Accept-Encoding: gzip\r\nRange: bytes=0-5\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.header("Accept-Ranges")).isNull();
            assertThat(new String(gunzip(r.bytes()), StandardCharsets.UTF_8)).isEqualTo(page);
        }
    }

    @Test
    void aLargeFileIsCompressedPieceByPiece() throws Exception {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = get(c, "/big.txt", "Accept-Encoding: gzip\r\n");
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(gunzip(r.bytes())).isEqualTo(big);
            // the connection carries on cleanly after a compressed response
            assertThat(get(c, "/tiny.html", "").body()).isEqualTo("<p>x</p>");
        }
    }

    @Test
    void whatIsLeftAlone() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            assertThat(get(c, "/page.html", "").header("Content-Encoding")).as("no Accept-Encoding").isNull();
            assertThat(get(c, "/page.html", "Accept-Encoding: gzip;q=0\r\n").header("Content-Encoding")).isNull();
            RawClient.Response tiny = get(c, "/tiny.html", "Accept-Encoding: gzip\r\n");
            assertThat(tiny.header("Content-Encoding")).as("shorter than gzip-min-length").isNull();
            assertThat(tiny.header("Vary")).as("nginx: no Vary for what is never compressed").isNull();
            assertThat(get(c, "/page.html", "Accept-Encoding: gzip\r\nVia: 1.1 proxy\r\n").header("Content-Encoding"))
                    .as("proxied, gzip-proxied off").isNull();
            RawClient.Response range = get(c, "/page.html", "Range: bytes=0-5\r\n");
            assertThat(range.status()).as("not compressed: the range").isEqualTo(206);
            assertThat(range.header("Vary")).as("nginx's gzip filter saw the whole file's 200").isEqualTo("Accept-Encoding");
            assertThat(range.header("Content-Encoding")).isNull();
            assertThat(range.body()).isEqualTo("<html>");
            assertThat(get(c, "/plain-off", "Accept-Encoding: gzip\r\n").header("Content-Encoding")).isNull();
            RawClient.Response head = c.send("HEAD /page.html HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
                    .read(true);
            // as nginx: HEAD gets the GET's headers, without the body
            assertThat(head.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(head.header("Content-Length")).isNull();
            assertThat(head.header("ETag")).startsWith("W/\"");
            assertThat(head.header("Accept-Ranges")).isNull();
            assertThat(head.header("Transfer-Encoding")).as("nginx announces no chunks for a HEAD").isNull();
            assertThat(head.bytes()).isEmpty();
            assertThat(get(c, "/tiny.html", "").body()).as("the connection goes on").isEqualTo("<p>x</p>");
        }
    }

    static String encoding(TestEngine e, String version, String path, String headers) {
        try (RawClient c = e.raw()) {
            return c.send("GET " + path + " HTTP/" + version + "\r\nHost: a\r\n" + headers + "\r\n").read()
                    .header("Content-Encoding");
        }
    }

    @Test
    void http10RequestsGzipDisabledUserAgentsAndProxiesAreLeftAloneAsByNginxsGzipOk() throws Exception {
        // nginx 1.22 with gzip_static on, gzip_disable "msie6" "curl/7\.": each case checked with curl
        Files.writeString(root.resolve("page.html.gz"), "precompressed");
        String yaml = yaml().replace("gzip-vary: on", """
                gzip-vary: on
                gzip-static: on
                gzip-disable: [msie6, 'curl/7\\.']""").replace("""
                      - location: /text
                """, """
                      - location: /http10/
                        gzip-http-version: 1.0
                        alias: %s/
                      - location: /text
                """.formatted(root));
        String gzip = "Accept-Encoding: gzip\r\n";
        try (TestEngine e = TestEngine.start(yaml)) {
            assertThat(encoding(e, "1.1", "/big.txt", gzip)).isEqualTo("gzip");
            assertThat(encoding(e, "1.0", "/big.txt", gzip)).as("gzip-http-version: 1.1 by default").isNull();
            assertThat(encoding(e, "1.0", "/page.html", gzip)).as("nor the precompressed file").isNull();
            assertThat(encoding(e, "1.0", "/http10/big.txt", gzip)).isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/page.html", gzip)).isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/page.html", gzip + "Via: 1.1 proxy\r\n")).as("gzip-proxied off").isNull();
            String ie6 = "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)\r\n";
            assertThat(encoding(e, "1.1", "/big.txt", gzip + ie6)).as("msie6").isNull();
            assertThat(encoding(e, "1.1", "/page.html", gzip + ie6)).isNull();
            assertThat(encoding(e, "1.1", "/big.txt", gzip + ie6.replace(")", "; SV1)"))).as("6 with SV1").isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/big.txt", gzip + "User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Opera)\r\n"))
                    .as("Opera is never msie6").isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/big.txt", gzip + "User-Agent: CURL/7.88.1\r\n")).as("case-insensitive")
                    .isNull();
            assertThat(encoding(e, "1.1", "/big.txt", gzip + "User-Agent: curl/8.0\r\n")).isEqualTo("gzip");
        }
        assertThatThrownBy(() -> TestEngine.start(yaml().replace("gzip: on", "gzip: on\ngzip-http-version: 2.0")).close())
                .hasMessageContaining("gzip-http-version").hasMessageContaining("1.0 or 1.1");
        assertThatThrownBy(() -> TestEngine.start(yaml().replace("gzip: on", "gzip: on\ngzip-disable: [\"((\"]")).close())
                .hasMessageContaining("gzip-disable");
    }

    @Test
    void gzipProxiedFlagsReadTheResponsesHeadersAsNginxDoes() {
        // nginx 1.22, gzip_proxied expired no-cache no-store private auth, each case checked with curl; add_header and
        // expires come before compression, which sees what they set
        String text = "some text ".repeat(30);
        String yaml = """
                gzip: on
                gzip-types: [text/plain]
                default-type: text/plain
                gzip-proxied: [expired, no-cache, no-store, private, auth]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /plain
                        return: "200 %1$s"
                      - location: /private
                        add-header: ["Cache-Control private"]
                        return: "200 %1$s"
                      - location: /public
                        add-header: ["Cache-Control 'public, max-age=60'"]
                        return: "200 %1$s"
                      - location: /expires
                        expires: 1h
                        return: "200 %1$s"
                      - location: /expired
                        expires: -1h
                        return: "200 %1$s"
                      - location: /no-cache-field
                        add-header: ["Cache-Control 'no-cache=\\"Set-Cookie\\"'"]
                        return: "200 %1$s"
                      - location: /no-store
                        add-header: ["Cache-Control 'max-age=0 ,  no-store'"]
                        return: "200 %1$s"
                """.formatted(text);
        String via = "Accept-Encoding: gzip\r\nVia: 1.1 proxy\r\n";
        try (TestEngine e = TestEngine.start(yaml)) {
            assertThat(encoding(e, "1.1", "/plain", via)).as("neither Expires nor Cache-Control").isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/private", via)).isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/public", via)).as("Cache-Control names none of the flags").isNull();
            assertThat(encoding(e, "1.1", "/expires", via)).as("Expires still to come").isNull();
            assertThat(encoding(e, "1.1", "/expired", via)).isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/no-cache-field", via)).as("no-cache with a field list is not no-cache")
                    .isNull();
            assertThat(encoding(e, "1.1", "/no-store", via)).isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/public", via + "Authorization: Basic eDp5\r\n")).as("auth").isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/public", "Accept-Encoding: gzip\r\n")).as("not proxied").isEqualTo("gzip");
        }
        try (TestEngine e = TestEngine.start(yaml().replace("""
                      - location: /text
                """, """
                      - location: /varies
                        add-header: ["Vary Origin"]
                        return: "200 %s"
                      - location: /text
                """.formatted(text))); RawClient c = e.raw()) {
            // nginx 1.22: add_header's Vary, and gzip_vary's own line
            assertThat(get(c, "/varies", "Accept-Encoding: gzip\r\n").headers().get("vary"))
                    .containsExactly("Origin", "Accept-Encoding");
            assertThat(get(c, "/page.html", "Accept-Encoding: gzip\r\n").headers().get("vary")).containsExactly("Accept-Encoding");
        }
        try (TestEngine e = TestEngine.start(yaml().replace("gzip-vary: on", "gzip-proxied: [no_last_modified]")
                .replace("""
                      - location: /text
                """, """
                      - location: /dated
                        add-header: ["Last-Modified 'Mon, 01 Jan 2024 00:00:00 GMT'"]
                        return: "200 %s"
                      - location: /text
                """.formatted(text)))) {
            // nginx holds a file's modification time as a time, which no_last_modified does not see (the harness found it)
            assertThat(encoding(e, "1.1", "/page.html", via)).as("a file's Last-Modified").isEqualTo("gzip");
            assertThat(encoding(e, "1.1", "/dated", via)).as("a Last-Modified header").isNull();
        }
        try (TestEngine e = TestEngine.start(yaml().replace("gzip-vary: on", "gzip-proxied: [no_etag]"))) {
            assertThat(encoding(e, "1.1", "/page.html", "Accept-Encoding: gzip\r\nVia: 1.1 proxy\r\n")).as("a file has an ETag")
                    .isNull();
            assertThat(encoding(e, "1.1", "/text", "Accept-Encoding: gzip\r\nVia: 1.1 proxy\r\n")).isEqualTo("gzip");
        }
    }

    @Test
    void gzipOffAnywhereKeepsFilesZeroCopyAndUnchanged() throws Exception {
        try (TestEngine e = TestEngine.start(yaml().replace("gzip: on", "gzip: off")); RawClient c = e.raw()) {
            RawClient.Response r = get(c, "/big.txt", "Accept-Encoding: gzip\r\n");
            assertThat(r.header("Content-Encoding")).isNull();
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(big.length));
            assertThat(r.bytes()).isEqualTo(big);
        }
    }

    String allCodings() {
        return yaml().replace("gzip: on", "gzip: on\nbrotli: on\nzstd: on\nbrotli-comp-level: 5\nzstd-comp-level: 3");
    }

    static byte[] unbrotli(byte[] bytes) throws IOException {
        com.aayushatharva.brotli4j.Brotli4jLoader.ensureAvailability();
        try (var in = new com.aayushatharva.brotli4j.decoder.BrotliInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    static byte[] unzstd(byte[] bytes) throws IOException {
        try (var in = new com.github.luben.zstd.ZstdInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    @Test
    void theCodingIsChosenByTheClientsQValuesPreferringBrotliThenZstdAmongEquals() throws Exception {
        try (TestEngine e = TestEngine.start(allCodings()); RawClient c = e.raw()) {
            RawClient.Response br = get(c, "/page.html", "Accept-Encoding: gzip, deflate, br, zstd\r\n");
            assertThat(br.header("Content-Encoding")).isEqualTo("br");
            assertThat(new String(unbrotli(br.bytes()), StandardCharsets.UTF_8)).isEqualTo(page);
            assertThat(br.header("ETag")).startsWith("W/\"");
            RawClient.Response zstd = get(c, "/page.html", "Accept-Encoding: gzip, zstd\r\n");
            assertThat(zstd.header("Content-Encoding")).isEqualTo("zstd");
            assertThat(new String(unzstd(zstd.bytes()), StandardCharsets.UTF_8)).isEqualTo(page);
            RawClient.Response gzip = get(c, "/page.html", "Accept-Encoding: br;q=0.5, zstd;q=0.4, gzip\r\n");
            assertThat(gzip.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(get(c, "/page.html", "Accept-Encoding: identity\r\n").header("Content-Encoding")).isNull();
        }
    }

    @Test
    void brotliAndZstdStreamALargeFileChunkByChunk() throws Exception {
        try (TestEngine e = TestEngine.start(allCodings()); RawClient c = e.raw()) {
            RawClient.Response br = get(c, "/big.txt", "Accept-Encoding: br\r\n");
            assertThat(br.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(unbrotli(br.bytes())).isEqualTo(big);
            RawClient.Response zstd = get(c, "/big.txt", "Accept-Encoding: zstd\r\n");
            assertThat(unzstd(zstd.bytes())).isEqualTo(big);
            assertThat(zstd.bytes().length).isLessThan(big.length / 3);
        }
    }

    @Test
    void aLocationMayTurnOneCodingOffAndKeepTheOthers() throws Exception {
        String yaml = allCodings().replace(" gzip: off", " brotli: off"); // in location /plain-off
        try (TestEngine e = TestEngine.start(yaml); RawClient c = e.raw()) {
            RawClient.Response r = get(c, "/plain-off", "Accept-Encoding: br, gzip\r\n");
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(new String(gunzip(r.bytes()), StandardCharsets.UTF_8)).isEqualTo("some text ".repeat(30));
        }
    }

    @Test
    void levelsOutOfRangeFailStartupNamingTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestEngine.start(
                yaml().replace("gzip: on", "gzip: on\nbrotli-comp-level: 12")).close())
                .hasMessageContaining("brotli-comp-level must be between 0 and 11");
    }
}
