package dev.modhttp.engine.modules.proxy;

import static dev.modhttp.engine.modules.proxy.RawBackend.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.TestEngine;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A large body to a client that reads slowly, and a peer that dies while requests keep coming. */
@Timeout(120)
class ProxyLoadTests {

    static final int MIB = 1024 * 1024;

    @Test
    void unbufferedALargeBodyToAClientThatDoesNotReadStaysInTheBackendNotInTheEngine() throws Exception {
        AtomicLong written = new AtomicLong();
        long total = 100L * MIB;
        try (RawBackend b = RawBackend.sending(total, "", written);
                TestEngine e = TestEngine.start(ProxyConfigs.root(b.port(), """
                        proxy-buffering: off
                        """)); Socket client = new Socket("127.0.0.1", e.port())) {
            client.setReceiveBufferSize(64 * 1024);
            client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            byte[] first = new byte[16 * 1024];
            long read = in.read(first);
            // the client stops reading: the backend's writes must stop too once the buffers between are full
            long stalled = RawBackend.waitForStall(written);
            assertThat(stalled - read).as("bytes written by the backend but not read by the client")
                    .isLessThan(24L * MIB);
            byte[] buf = new byte[256 * 1024];
            int n;
            while (read < total + 40 && (n = in.read(buf)) > 0) {
                read += n;
            }
            assertThat(written.get()).isEqualTo(total);
            assertThat(read).isGreaterThan(total); // the head and the whole body arrived
        }
    }


    @Test
    void aPeerThatDiesUnderLoadCostsNoRequest() throws Exception {
        RawBackend.Script ok = (head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return true;
        };
        try (RawBackend survivor = new RawBackend(ok)) {
            RawBackend victim = new RawBackend(ok);
            try (TestEngine e = TestEngine.start("""
                    upstreams:
                      - name: pair
                        servers: ["127.0.0.1:%d", "127.0.0.1:%d"]
                    servers:
                      - listen: ["127.0.0.1:0"]
                        locations:
                          - location: /
                            proxy-pass: http://pair
                    """.formatted(victim.port(), survivor.port()))) {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                URI uri = URI.create("http://127.0.0.1:" + e.port() + "/x");
                AtomicInteger done = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<?>> workers = new ArrayList<>();
                long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                for (int t = 0; t < 8; t++) {
                    workers.add(pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            try {
                                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(),
                                        HttpResponse.BodyHandlers.ofString());
                                (r.statusCode() == 200 && r.body().equals("ok") ? done : failed).incrementAndGet();
                            } catch (Exception ex) {
                                failed.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                Thread.sleep(1000);
                int before = done.get();
                victim.close(); // stops accepting; its open connections end as the backend threads stop
                for (Future<?> w : workers) {
                    w.get();
                }
                pool.shutdown();
                assertThat(before).isPositive();
                assertThat(done.get()).isGreaterThan(before);
                assertThat(failed.get()).as("requests that failed while a peer died").isZero();
            }
        }
    }
}
