package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.LogFiles;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request ends when its last byte has left, as nginx's does: a file sent zero-copy to a client
 * that takes it slowly keeps its limit-conn place, is cut off by send-timeout (not by the
 * keep-alive timeout), and is logged when it ends, with what the client took.
 */
@Timeout(60)
class ResponseEndTests {

    /** Larger than what loopback's socket buffers hold, so that a client that stops reading stalls the send. */
    static final int BIG = 32 * 1024 * 1024;

    @TempDir
    Path dir;

    TestEngine start() throws IOException {
        Path root = Files.createDirectories(dir.resolve("www/files"));
        Files.write(root.resolve("big.bin"), new byte[BIG]);
        return TestEngine.start("""
                limit-conn-zone: ["$http_x_key zone=dl:1m"]
                log-format:
                  sent: '$uri $status $body_bytes_sent $request_time'
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %1$s/www
                    access-log: ["%1$s/access.log sent"]
                    locations:
                      - location: /files/
                        limit-conn: ["dl 1"]
                      - location: /cut/
                        alias: %1$s/www/files/
                        send-timeout: 500ms
                """.formatted(dir));
    }

    /** A client that asks for {@code uri} (the connection to close after it) and then reads only when told to. */
    static Socket stalled(TestEngine e, String uri) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", e.port()));
        s.getOutputStream().write(("GET " + uri + " HTTP/1.1\r\nHost: h\r\nX-Key: k\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(10_000);
        int first = s.getInputStream().read(); // the head has come: the engine is sending the file
        assertThat(first).isEqualTo('H');
        return s;
    }

    /** Reads until the end or a reset; the bytes read. */
    static long drain(InputStream in) {
        long n = 0;
        byte[] buf = new byte[65536];
        try {
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
            }
        } catch (IOException reset) {
            // a reset ends the response too
        }
        return n;
    }

    @Test
    void aFileBeingSentKeepsItsLimitConnPlaceUntilItsLastByteHasLeft() throws Exception {
        try (TestEngine e = start(); Socket slow = stalled(e, "/files/big.bin"); RawClient other = e.raw()) {
            RawClient.Response during = other.send("GET /files/big.bin HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read();
            assertThat(during.status()).as("the download in progress holds key k's one place").isEqualTo(503);
            long rest = drain(slow.getInputStream());
            assertThat(rest).isGreaterThanOrEqualTo(BIG); // the rest of the head, then the whole body
            // the place is given back once the engine sees the last byte leave: at most a moment after
            int status = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (status != 200 && System.nanoTime() < deadline) {
                try (RawClient c = e.raw()) {
                    status = c.send("GET /files/big.bin HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n"
                            + "Range: bytes=0-0\r\n\r\n").read().status();
                }
            }
            assertThat(status).isEqualTo(206);
        }
    }

    @Test
    void aStalledDownloadIsCutOffBySendTimeoutAndLoggedWithWhatTheClientTook() throws Exception {
        try (TestEngine e = start(); Socket s = stalled(e, "/cut/big.bin")) {
            long start = System.nanoTime();
            Thread.sleep(1500); // three send-timeouts without reading; the keep-alive timeout is 75 s
            long received = drain(s.getInputStream());
            assertThat(received).as("the download was cut off").isLessThan(BIG);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            List<String> lines = LogFiles.lines(dir.resolve("access.log"), 1);
            assertThat(lines).hasSize(1);
            String[] f = lines.get(0).split(" ");
            assertThat(f[0]).isEqualTo("/cut/big.bin");
            assertThat(f[1]).as("the head went out: its status stays, as nginx logs it").isEqualTo("200");
            assertThat(Long.parseLong(f[2])).as("$body_bytes_sent: what the socket took, not the file's size")
                    .isGreaterThan(0).isLessThan(BIG);
            assertThat(Double.parseDouble(f[3])).as("$request_time counts the sending").isGreaterThanOrEqualTo(0.5);
        }
    }
}
