package dev.modhttp.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.TestEngine;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** multipart/form-data for handlers: fields and files, in memory and in files, limits, and the files deleted after. */
@Timeout(60)
class MultipartTests {

    @TempDir
    Path temp;

    static final String BOUNDARY = "----form7MA4YWxkTrZu0gW";

    static byte[] body(byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday ☀\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"beach.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    HttpResponse<String> post(TestEngine e, String path, String type, byte[] body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.port() + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    TestEngine start() {
        return start("client-body-temp-path: " + temp);
    }

    TestEngine start(String main) {
        return TestEngine.start("""
                %s
                servers:
                  - listen: ["127.0.0.1:0"]
                    client-max-body-size: 8m
                    locations:
                      - location: /
                """.formatted(main), b -> b.handler(new HandlerDefinition(Phase.CONTENT, 0, "form", ex -> {
            try (Multipart form = Multipart.parse(ex, new Multipart.Limits(1 << 20, 2 << 20, 3))) {
                Multipart.Part title = form.part("title");
                Multipart.Part photo = form.part("photo");
                String where = photo.path() == null ? "memory" : "file " + photo.path().startsWith(temp);
                ex.response().body(title.text() + "|" + title.filename() + "|" + photo.filename() + "|" + photo.contentType()
                        + "|" + photo.size() + "|" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(photo.bytes())) + "|" + where);
                return Result.OK;
            } catch (Multipart.Failure f) {
                ex.response().body(f.getMessage());
                return Result.status(f.status());
            }
        }, true, null)));
    }

    @Test
    void fieldsAndFilesAreReadFromMemoryAndFromTheBodysFileAndTheirFilesAreDeletedAfter() throws Exception {
        byte[] small = new byte[1000];
        byte[] large = new byte[300_000]; // past client-body-buffer-size (16k) and the part's 16k in memory
        new Random(7).nextBytes(small);
        new Random(8).nextBytes(large);
        try (TestEngine e = start()) {
            String type = "multipart/form-data; boundary=" + BOUNDARY;
            HttpResponse<String> r = post(e, "/small", type, body(small));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("holiday ☀|null|beach.jpg|image/jpeg|1000|" + sha(small) + "|memory");
            r = post(e, "/large", type, body(large));
            assertThat(r.body()).isEqualTo("holiday ☀|null|beach.jpg|image/jpeg|300000|" + sha(large) + "|file true");
            try (Stream<Path> left = Files.list(temp)) {
                assertThat(left).as("temporary files left").isEmpty();
            }
        }
    }

    @Test
    void withoutClientBodyTempPathLargePartsGoToTheJvmsTemporaryDirectory() throws Exception {
        byte[] large = new byte[100_000];
        try (TestEngine e = start("")) {
            HttpResponse<String> r = post(e, "/", "multipart/form-data; boundary=" + BOUNDARY, body(large));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).endsWith("|file false"); // in a file, not under this test's directory
        }
    }

    @Test
    void whatCannotBeReadGetsTheRightStatusAndTheServerGoesOn() throws Exception {
        try (TestEngine e = start()) {
            String type = "multipart/form-data; boundary=" + BOUNDARY;
            assertThat(post(e, "/", "application/json", "{}".getBytes()).statusCode()).isEqualTo(415);
            assertThat(post(e, "/", "multipart/form-data", body(new byte[1])).statusCode()).as("no boundary").isEqualTo(415);
            assertThat(post(e, "/", type, body(new byte[(1 << 20) + 1])).statusCode()).as("a part past its limit")
                    .isEqualTo(413);
            byte[] cut = body(new byte[100]);
            byte[] truncated = java.util.Arrays.copyOf(cut, cut.length - 20);
            HttpResponse<String> malformed = post(e, "/", type, truncated);
            assertThat(malformed.statusCode()).as("no closing boundary: %s", malformed.body()).isIn(400);
            assertThat(post(e, "/", "multipart/form-datax; boundary=" + BOUNDARY, body(new byte[1])).statusCode())
                    .as("another media type").isEqualTo(415);
            for (String broken : new String[] {"", "garbage without boundary",
                "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r"}) {
                assertThat(post(e, "/", type, broken.getBytes(StandardCharsets.UTF_8)).statusCode()).as("[%s]", broken)
                        .isEqualTo(400);
            }
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                many.append("--").append(BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"p").append(i)
                        .append("\"\r\n\r\nv\r\n");
            }
            assertThat(post(e, "/", type, (many + "--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8)).statusCode())
                    .as("more parts than the limit (3)").isEqualTo(413);
            assertThat(post(e, "/", type, body(new byte[10])).statusCode()).isEqualTo(200);
            try (Stream<Path> left = Files.list(temp)) {
                assertThat(left).as("temporary files left").isEmpty();
            }
        }
    }

    static String sha(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
