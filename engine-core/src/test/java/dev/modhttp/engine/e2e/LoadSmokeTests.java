package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short, bounded variant of the load runs (bench/speed.sh is the long one): concurrent
 * keep-alive and pipelining clients on loopback, a fixed number of requests, every response
 * checked. The leak check after the class covers what the load allocated.
 */
@Timeout(60)
class LoadSmokeTests {

    static final int CLIENTS = 8;
    /** nginx's default keepalive_requests: the last response of each connection closes it. */
    static final int REQUESTS_PER_CLIENT = 1000;

    @Test
    void concurrentKeepAliveAndPipelinedClientsGetEveryResponseRight() throws Exception {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /hello
                        return: "200 Hello, World!"
                      - location: /echo
                """, b -> b.handler(dev.modhttp.engine.phase.Phase.CONTENT, ex -> {
                    ex.response().body(ex.request().bodyAsString());
                    return dev.modhttp.engine.phase.Result.OK;
                }))) {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            AtomicInteger ok = new AtomicInteger();
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                boolean pipelined = c % 2 == 1;
                int id = c;
                clients.add(pool.submit(() -> {
                    try (RawClient client = e.raw()) {
                        int batch = pipelined ? 10 : 1;
                        for (int i = 0; i < REQUESTS_PER_CLIENT; i += batch) {
                            StringBuilder requests = new StringBuilder();
                            for (int k = 0; k < batch; k++) {
                                String body = id + ":" + (i + k);
                                requests.append(k % 2 == 0 ? "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"
                                        : "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length()
                                                + "\r\n\r\n" + body);
                            }
                            client.send(requests.toString());
                            for (int k = 0; k < batch; k++) {
                                RawClient.Response r = client.read();
                                assertThat(r.status()).isEqualTo(200);
                                assertThat(r.body()).isEqualTo(k % 2 == 0 ? "Hello, World!" : id + ":" + (i + k));
                                assertThat(r.header("Connection"))
                                        .isEqualTo(i + k == REQUESTS_PER_CLIENT - 1 ? "close" : null);
                                ok.incrementAndGet();
                            }
                        }
                        assertThat(client.isClosedByServer()).isTrue();
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
            pool.shutdown();
            assertThat(ok.get()).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
            assertThat(e.engine().status().requests()).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
        }
    }
}
