package dev.modhttp.engine.modules.proxy;

import static dev.modhttp.engine.modules.proxy.RawBackend.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large bodies both ways through the proxy, as nginx handles them: a request body above
 * client-body-buffer-size waits in a temporary file, or goes to the backend as it arrives
 * (proxy-request-buffering off); a response the client cannot take yet waits in proxy-buffers
 * and a temporary file (proxy-buffering on), or holds the backend back (off). Memory stays
 * bounded in every case: the engine runs in this JVM, so heap and direct memory are measured.
 */
@Timeout(120)
class ProxyBufferingTests {

    static final int MIB = 1024 * 1024;
    static final long BOUND = 64L * MIB;

    @TempDir
    Path temp;

    /** Heap and direct memory in use after a collection: what the engine holds, with this test's own small part. */
    static long used() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long direct = Math.max(0, PlatformDependent.usedDirectMemory());
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            direct += pool.getMemoryUsed();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + direct;
    }

    /** Writes {@code total} bytes of a seeded pattern after {@code head} (chunked in 64 KiB chunks when asked); returns their CRC. */
    static CompletableFuture<Long> upload(Socket s, String head, long total, boolean chunked, AtomicLong sent) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                Random r = new Random(7);
                byte[] block = new byte[64 * 1024];
                CRC32 crc = new CRC32();
                for (long left = total; left > 0; ) {
                    int n = (int) Math.min(block.length, left);
                    r.nextBytes(block);
                    crc.update(block, 0, n);
                    if (chunked) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(block, 0, n);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    sent.addAndGet(n);
                    left -= n;
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                return crc.getValue();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The body of the one response on {@code s}. */
    static String answer(Socket s) throws IOException {
        s.setSoTimeout(60_000);
        InputStream in = s.getInputStream();
        String head = readHead(in);
        assertThat(head).startsWith("HTTP/1.1 200 ");
        int n = Integer.parseInt(StreamBackend.header(head, "content-length"));
        return new String(in.readNBytes(n), StandardCharsets.US_ASCII);
    }

    static boolean logged(String text) {
        return MemoryAppender.lines().stream().anyMatch(l -> l.contains(text));
    }

    static long files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    /** The files left in {@code dir} once the request ended (it ends just after its last byte left). */
    static long filesAfter(Path dir) throws IOException, InterruptedException {
        for (int i = 0; i < 100 && files(dir) > 0; i++) {
            Thread.sleep(20);
        }
        return files(dir);
    }

    @Test
    void aLargeUploadWaitsInATemporaryFileThenGoesWholeToTheBackend() throws Exception {
        long total = 100L * MIB;
        AtomicLong sent = new AtomicLong();
        long before = used();
        AtomicLong memoryAtHead = new AtomicLong();
        try (StreamBackend b = new StreamBackend(); TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), """
                        client-max-body-size: 200m
                        client-body-temp-path: %s
                        """.formatted(temp))); Socket s = new Socket("127.0.0.1", e.port())) {
            b.atHead = () -> {
                memoryAtHead.set(used());
                return sent.get();
            };
            CompletableFuture<Long> crc = upload(s, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + total
                    + "\r\n\r\n", total, false, sent);
            String got = answer(s);
            assertThat(got).isEqualTo(total + " " + Long.toHexString(crc.join()));
            assertThat(b.seenAtHead).as("the client had sent the whole body before the backend heard of it")
                    .containsExactly(total);
            assertThat(StreamBackend.header(b.heads.get(0), "content-length")).isEqualTo(Long.toString(total));
            assertThat(memoryAtHead.get() - before).as("memory held with the whole body read").isLessThan(BOUND);
            assertThat(logged("a client request body is buffered to a temporary file " + temp)).isTrue();
            assertThat(filesAfter(temp)).as("the temporary file is deleted with the request").isZero();
        }
    }

    @Test
    void aBufferedBodyInAFileGoesAgainToTheNextPeer() throws Exception {
        long total = 3L * MIB;
        try (StreamBackend first = new StreamBackend(); StreamBackend second = new StreamBackend();
                TestEngine e = TestEngine.start("""
                upstreams:
                  - name: two
                    servers: ["127.0.0.1:%d", "127.0.0.1:%d"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://two
                        proxy-next-upstream: [error, non_idempotent]
                        client-max-body-size: 10m
                        client-body-temp-path: %s
                """.formatted(first.port(), second.port(), temp)); Socket s = new Socket("127.0.0.1", e.port())) {
            AtomicBoolean once = new AtomicBoolean(true); // whichever peer comes first drops the request after its head
            first.closeNext = once;
            second.closeNext = once;
            CompletableFuture<Long> crc = upload(s, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + total
                    + "\r\n\r\n", total, false, new AtomicLong());
            assertThat(answer(s)).isEqualTo(total + " " + Long.toHexString(crc.join()));
            assertThat(first.heads.size() + second.heads.size()).isEqualTo(2);
        }
    }

    @Test
    void unbufferedTheBodyGoesToTheBackendAsItArrivesPacedByTheBackend() throws Exception {
        long total = 100L * MIB;
        AtomicLong sent = new AtomicLong();
        long before = used();
        try (StreamBackend b = new StreamBackend(); TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), """
                        proxy-request-buffering: off
                        client-max-body-size: 200m
                        client-body-temp-path: %s
                        """.formatted(temp))); Socket s = new Socket("127.0.0.1", e.port())) {
            b.atHead = sent::get;
            b.pauseBeforeBody = 1500;
            CompletableFuture<Long> crc = upload(s, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + total
                    + "\r\n\r\n", total, false, sent);
            Thread.sleep(1000); // the backend does not read yet: the client must be held back
            long held = sent.get();
            long memory = used();
            String got = answer(s);
            assertThat(got).isEqualTo(total + " " + Long.toHexString(crc.join()));
            assertThat(b.seenAtHead.get(0)).as("the backend heard of the request before its body was sent")
                    .isLessThan(total);
            assertThat(held).as("bytes the client could send while the backend read nothing").isLessThan(24L * MIB);
            assertThat(memory - before).isLessThan(BOUND);
            assertThat(filesAfter(temp)).isZero();
        }
    }

    @Test
    void unbufferedAChunkedBodyGoesChunkedAndExpectContinueIsAnswered() throws Exception {
        long total = 5L * MIB;
        try (StreamBackend b = new StreamBackend(); TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), """
                        proxy-request-buffering: off
                        client-max-body-size: 10m
                        """)); Socket s = new Socket("127.0.0.1", e.port())) {
            OutputStream out = s.getOutputStream();
            out.write("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] interim = in.readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
            assertThat(new String(interim, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            CompletableFuture<Long> crc = upload(s, "", total, true, new AtomicLong());
            assertThat(answer(s)).isEqualTo(total + " " + Long.toHexString(crc.join()));
            String head = b.heads.get(0);
            assertThat(StreamBackend.header(head, "transfer-encoding")).isEqualTo("chunked");
            assertThat(StreamBackend.header(head, "expect")).isNull();
            s.getOutputStream().write("GET /again HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(answer(s)).isEqualTo("0 0");
            assertThat(b.heads.get(1)).as("a request without a body gets no framing").startsWith("GET /again ")
                    .doesNotContainIgnoringCase("transfer-encoding").doesNotContainIgnoringCase("content-length");
        }
    }

    @Test
    void inFileOnlyKeepsTheFileAndRequestBodyFileNamesIt() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            String file = StreamBackend.header(head, "x-file");
            String text = Files.readString(Path.of(file));
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + text.length() + "\r\n\r\n" + text);
            return true;
        }); TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), """
                        proxy-pass-request-body: off
                        proxy-set-header: ["X-File $request_body_file"]
                        client-body-in-file-only: on
                        client-body-temp-path: %s
                        """.formatted(temp))); RawClient c = e.raw()) {
            RawClient.Response r = c.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(r.body()).isEqualTo("hello");
            assertThat(StreamBackend.header(b.heads.get(0), "content-length")).isNull();
            assertThat(files(temp)).as("client-body-in-file-only: on keeps the file").isEqualTo(1);
        }
    }

    @Test
    void aLargeResponseToAClientThatDoesNotReadFreesTheBackendThroughATemporaryFile() throws Exception {
        long total = 100L * MIB;
        AtomicLong written = new AtomicLong();
        long before = used();
        try (RawBackend b = RawBackend.sending(total, "", written);
                TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), """
                        proxy-temp-path: %s
                        """.formatted(temp))); Socket client = new Socket("127.0.0.1", e.port())) {
            client.setReceiveBufferSize(64 * 1024);
            client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (written.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(written.get()).as("the backend wrote all while the client read nothing").isEqualTo(total);
            assertThat(used() - before).isLessThan(BOUND);
            assertThat(logged("an upstream response is buffered to a temporary file " + temp)).isTrue();
            assertThat(files(temp)).as("the file has no name while in use").isZero();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 OK").contains("Content-Length: " + total);
            RawBackend.assertPattern(in, total);
        }
    }

    @Test
    void withoutTemporaryFilesOrWithXAccelBufferingNoTheBackendIsHeldBack() throws Exception {
        for (String setting : new String[] {"proxy-max-temp-file-size: 0", "proxy-buffering: on"}) {
            boolean accel = setting.equals("proxy-buffering: on");
            long total = 50L * MIB;
            AtomicLong written = new AtomicLong();
            String extra = accel ? "X-Accel-Buffering: no\r\n" : "";
            try (RawBackend b = RawBackend.sending(total, extra, written);
                    TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), setting));
                    Socket client = new Socket("127.0.0.1", e.port())) {
                client.setReceiveBufferSize(64 * 1024);
                client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                long stalled = RawBackend.waitForStall(written);
                assertThat(stalled).as(setting).isLessThan(24L * MIB);
                InputStream in = client.getInputStream();
                assertThat(readHead(in)).doesNotContainIgnoringCase("x-accel-buffering");
                long read = 0;
                byte[] buf = new byte[256 * 1024];
                int n;
                while (read < total && (n = in.read(buf)) > 0) {
                    read += n;
                }
                assertThat(read).isEqualTo(total);
            }
        }
    }

    @Test
    void xAccelRedirectServesAnotherLocationUnlessIgnored() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nX-Accel-Redirect: /internal/file.txt?k=v\r\nContent-Type: text/x-kept\r\n"
                    + "X-Other: dropped\r\nContent-Length: 7\r\n\r\nignored");
            return true;
        }); TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://127.0.0.1:%1$d
                      - location: /raw/
                        proxy-pass: http://127.0.0.1:%1$d
                        proxy-ignore-headers: [X-Accel-Redirect]
                      - location: /internal/
                        return: "200 $request_method $uri $args"
                      - location: /bad/
                        proxy-pass: http://127.0.0.1:%1$d
                """.formatted(b.port())); RawClient c = e.raw()) {
            RawClient.Response r = c.send("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("GET /internal/file.txt k=v");
            assertThat(r.header("Content-Type")).isEqualTo("text/x-kept");
            assertThat(r.header("X-Other")).isNull();
            RawClient.Response raw = c.send("GET /raw/a HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(raw.body()).isEqualTo("ignored");
            assertThat(raw.header("X-Accel-Redirect")).isNull(); // hidden by default, as nginx does
        }
    }

    @Test
    void anUnsafeXAccelRedirectIs404() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            String to = head.startsWith("GET /dot ") ? "/internal/./x" : "/internal/../secret";
            write(out, "HTTP/1.1 200 OK\r\nX-Accel-Redirect: " + to + "\r\nContent-Length: 0\r\n\r\n");
            return true;
        }); TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://127.0.0.1:%d
                      - location: /internal/
                        return: "200 $uri"
                """.formatted(b.port())); RawClient c = e.raw()) {
            assertThat(c.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(404);
            assertThat(logged("unsafe URI \"/internal/../secret\" was detected")).isTrue();
            RawClient.Response dot = c.send("GET /dot HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(dot.status()).as("a single dot is safe, as nginx finds").isEqualTo(200);
            assertThat(dot.body()).startsWith("/internal/");
        }
    }

    @Test
    void anErrorPageLocationGetsTheBodyWhicheverWayEachLocationReadsIt() throws Exception {
        int dead;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = probe.getLocalPort(); // closed: connections are refused, nothing of the body is sent
        }
        try (StreamBackend b = new StreamBackend(); TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    client-max-body-size: 10m
                    locations:
                      - location: /bb/
                        proxy-pass: http://127.0.0.1:%1$d
                        error-page: ["502 = @buffered"]
                      - location: /bu/
                        proxy-pass: http://127.0.0.1:%1$d
                        error-page: ["502 = @unbuffered"]
                      - location: /ub/
                        proxy-pass: http://127.0.0.1:%1$d
                        proxy-request-buffering: off
                        error-page: ["502 = @buffered"]
                      - location: /uu/
                        proxy-pass: http://127.0.0.1:%1$d
                        proxy-request-buffering: off
                        error-page: ["502 = @unbuffered"]
                      - location: "@buffered"
                        proxy-pass: http://127.0.0.1:%2$d
                      - location: "@unbuffered"
                        proxy-pass: http://127.0.0.1:%2$d
                        proxy-request-buffering: off
                """.formatted(dead, b.port()))) {
            for (String path : new String[] {"/bb/", "/bu/", "/ub/", "/uu/"}) {
                for (long total : new long[] {10, 3L * MIB}) {
                    try (Socket s = new Socket("127.0.0.1", e.port())) {
                        CompletableFuture<Long> crc = upload(s, "POST " + path + "x HTTP/1.1\r\nHost: a\r\n"
                                + "Content-Length: " + total + "\r\n\r\n", total, false, new AtomicLong());
                        assertThat(answer(s)).as(path + " " + total).isEqualTo(total + " " + Long.toHexString(crc.join()));
                    }
                }
            }
        }
    }

    @Test
    void theTemporaryFileStopsAtItsLimitAndThenTheBackendWaits() throws Exception {
        long total = 60L * MIB;
        AtomicLong written = new AtomicLong();
        try (RawBackend b = RawBackend.sending(total, "", written);
                TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), """
                        proxy-buffers: "4 8k"
                        proxy-max-temp-file-size: 1m
                        proxy-temp-path: %s
                        """.formatted(temp))); Socket client = new Socket("127.0.0.1", e.port())) {
            client.setReceiveBufferSize(64 * 1024);
            client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            long stalled = RawBackend.waitForStall(written);
            assertThat(stalled).as("the backend waits once the file holds its limit").isLessThan(24L * MIB);
            InputStream in = client.getInputStream();
            readHead(in);
            RawBackend.assertPattern(in, total);
        }
    }

    @Test
    void unbufferedASlowClientIsTheClientBodyTimeoutsBusinessNotTheSendTimeouts() throws Exception {
        try (StreamBackend b = new StreamBackend(); TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), """
                        proxy-request-buffering: off
                        proxy-send-timeout: 500ms
                        """)); Socket s = new Socket("127.0.0.1", e.port())) {
            OutputStream out = s.getOutputStream();
            out.write("POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 3000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            CRC32 crc = new CRC32();
            byte[] piece = "y".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 3; i++) {
                Thread.sleep(1000); // twice the send timeout between two pieces
                out.write(piece);
                out.flush();
                crc.update(piece);
            }
            assertThat(answer(s)).isEqualTo("3000 " + Long.toHexString(crc.getValue()));
        }
    }

    @Test
    void temporaryDirectoriesAreMadeAtStartupOrStartupFailsNamingTheKey() {
        Path made = temp.resolve("made");
        Path proxyMade = temp.resolve("proxy-made");
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    client-body-temp-path: %s
                    locations:
                      - location: /
                        proxy-pass: http://127.0.0.1:9
                        proxy-temp-path: %s
                """.formatted(made, proxyMade))) {
            assertThat(made).isDirectory();
            assertThat(proxyMade).isDirectory();
        }
        for (String key : new String[] {"client-body-temp-path", "proxy-temp-path"}) {
            assertThatThrownBy(() -> TestEngine.start("""
                    servers:
                      - listen: ["127.0.0.1:0"]
                        locations:
                          - location: /
                            proxy-pass: http://127.0.0.1:9
                            %s: %s
                    """.formatted(key, temp.resolve("missing/deeper")))).hasMessageContaining(key)
                    .hasMessageContaining("cannot create the directory");
        }
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

}
