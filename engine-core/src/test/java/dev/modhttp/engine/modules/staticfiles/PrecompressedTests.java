package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Precompressed sidecars chosen by Accept-Encoding q-values, never older than the file. */
@Timeout(30)
class PrecompressedTests {

    static final Instant T = Instant.parse("2026-03-01T00:00:00Z");

    @TempDir
    Path root;
    byte[] gz;

    @BeforeEach
    void files() throws Exception {
        String app = "console.log('hello, precompressed world')";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(app.getBytes(StandardCharsets.UTF_8));
        }
        gz = out.toByteArray();
        Docroot.in(root).file("app.js", app).file("app.js.gz", gz).file("app.js.br", "pretend-brotli")
                .file("old.js", "fresh").file("old.js.gz", "stale")
                .modified("app.js", T).modified("app.js.gz", T).modified("app.js.br", T)
                .modified("old.js", T).modified("old.js.gz", T.minusSeconds(60));
    }

    String yaml(String keys) {
        return Docroot.in(root).server(keys, "- location: /");
    }

    @ParameterizedTest(name = "[{index}] Accept-Encoding: {0} -> {1}")
    @CsvSource(delimiterString = "=>", nullValues = "NONE", textBlock = """
            gzip, deflate, br           => br
            gzip;q=1.0, br;q=0.5        => gzip
            gzip                        => gzip
            x-gzip                      => NONE
            gzip;q=1.5                  => NONE
            br;q=0, gzip;q=0            => NONE
            *                           => br
            identity                    => NONE
            """)
    void theBestAcceptedSidecarIsSent(String accept, String coding) {
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on\nbrotli-static: on\ngzip-vary: on")); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /app.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: " + accept + "\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).isEqualTo(coding);
            assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
            assertThat(r.header("Content-Type")).isEqualTo("text/javascript");
            if ("gzip".equals(coding)) {
                assertThat(r.bytes()).isEqualTo(gz);
            } else if (coding == null) {
                assertThat(r.body()).startsWith("console.log");
            }
        }
    }

    @Test
    void varyIsGzipVarysAndOnlyWhereAPrecompressedFileExists() {
        // nginx 1.22: gzip_static marks Vary (written under gzip_vary) where the .gz exists, whoever asks
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on\ngzip-vary: on")); RawClient c = e.raw()) {
            assertThat(c.send("GET /app.js HTTP/1.1\r\nHost: a\r\n\r\n").read().header("Vary")).isEqualTo("Accept-Encoding");
            assertThat(c.send("GET /old.js HTTP/1.1\r\nHost: a\r\n\r\n").read().header("Vary"))
                    .as("its .gz is older, never sent").isNull();
        }
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on")); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /app.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n").read();
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.header("Vary")).as("gzip-vary off").isNull();
        }
    }

    @Test
    void aPrecompressedFileIsSentWholeWhateverRangeIsAsked() {
        // found by the differential harness: nginx's gzip_static allows no ranges
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on")); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /app.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nRange: bytes=0-3\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Accept-Ranges")).isNull();
            assertThat(r.bytes()).isEqualTo(gz);
            assertThat(c.send("GET /app.js HTTP/1.1\r\nHost: a\r\nRange: bytes=0-3\r\n\r\n").read().status())
                    .as("the file itself").isEqualTo(206);
        }
    }

    @Test
    void aPrecompressedFileIsSentWhereItsFileDoesNotExist() throws Exception {
        // found by the differential harness: nginx's gzip_static needs only the .gz
        java.nio.file.Files.write(root.resolve("only.js.gz"), gz);
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on")); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /only.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.header("Content-Type")).isEqualTo("text/javascript");
            assertThat(r.bytes()).isEqualTo(gz);
            assertThat(c.send("GET /only.js HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).as("not accepted").isEqualTo(404);
        }
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on\ngzip-vary: on")); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /only.js HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("Vary")).as("nginx: its 404 varies, as the .gz exists").isEqualTo("Accept-Encoding");
        }
        // found by the differential harness: a redirect to an error page's URI runs nginx's phases
        // anew, and the mark of the .gz found for the first URI goes with them
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on\ngzip-vary: on\nerror-page: [\"404 /fallback\"]"));
                RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /only.js HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("Vary")).isNull();
            assertThat(c.send("GET /only.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n").read()
                    .header("Vary")).isEqualTo("Accept-Encoding");
        }
    }

    @Test
    void aSidecarOlderThanTheFileIsIgnoredAndDisabledCodingsAreNotServed() {
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on")); RawClient c = e.raw()) {
            RawClient.Response old = c.send("GET /old.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n").read();
            assertThat(old.header("Content-Encoding")).isNull();
            assertThat(old.body()).isEqualTo("fresh");
            RawClient.Response noBrotli = c.send("GET /app.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\n\r\n")
                    .read();
            assertThat(noBrotli.header("Content-Encoding")).isNull();
        }
        try (TestEngine e = TestEngine.start(yaml("index: [index.html]")); RawClient c = e.raw()) {
            RawClient.Response off = c.send("GET /app.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n").read();
            assertThat(off.header("Content-Encoding")).isNull();
            assertThat(off.header("Vary")).as("no sidecars enabled").isNull();
        }
    }

    @Test
    void theVariantHasItsOwnValidators() {
        try (TestEngine e = TestEngine.start(yaml("gzip-static: on")); RawClient c = e.raw()) {
            String plain = c.send("GET /app.js HTTP/1.1\r\nHost: a\r\n\r\n").read().header("ETag");
            RawClient.Response zipped = c.send("GET /app.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n").read();
            assertThat(zipped.header("ETag")).isNotEqualTo(plain);
            assertThat(zipped.header("Content-Length")).isEqualTo(Integer.toString(gz.length));
            assertThat(new String(zipped.bytes(), StandardCharsets.ISO_8859_1)).isNotEmpty();
            // nginx's not-modified filter drops the coding: a 304 describes no body
            RawClient.Response same = c.send("GET /app.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nIf-None-Match: "
                    + zipped.header("ETag") + "\r\n\r\n").read();
            assertThat(same.status()).isEqualTo(304);
            assertThat(same.header("Content-Encoding")).isNull();
        }
    }
}
