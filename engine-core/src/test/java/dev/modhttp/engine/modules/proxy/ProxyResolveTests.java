package dev.modhttp.engine.modules.proxy;

import static dev.modhttp.engine.modules.proxy.RawBackend.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** resolve-valid: an upstream's host names resolved again, new addresses taken, kept ones keep their connections. */
@Timeout(60)
class ProxyResolveTests {

    static RawBackend named(String name, InetAddress address, int port) throws Exception {
        return new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + name.length() + "\r\n\r\n" + name);
            return true;
        }, address, port);
    }

    static void awaitPeers(ProxyModule proxy, Predicate<List<String>> addresses) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L; // resolve-valid (1 s) plus the once-a-second trigger, with room
        while (!addresses.test(proxy.peers().stream().map(PeerView::address).toList())) {
            assertThat(System.nanoTime()).as("peers now: %s", proxy.peers()).isLessThan(end);
            Thread.sleep(50);
        }
    }

    @Test
    void aHostNameIsResolvedAgainAndAnAddressThatStaysKeepsItsConnection() throws Exception {
        InetAddress one = InetAddress.getByName("127.0.0.1");
        InetAddress two = InetAddress.getByName("127.0.0.2");
        try (RawBackend a = named("a", one, 0); RawBackend b = named("b", two, a.port());
                TestEngine e = TestEngine.start("""
                        upstreams:
                          - name: app
                            servers: ["localhost:%d"]
                            resolve-valid: 1s
                        servers:
                          - listen: ["127.0.0.1:0"]
                            locations:
                              - location: /
                                proxy-pass: http://app
                        """.formatted(a.port())); RawClient c = e.raw()) {
            // one client connection: one event loop, so its pool of backend connections is the one measured
            ProxyModule proxy = e.engine().module(ProxyModule.class).orElseThrow();
            assertThat(get(c)).isEqualTo("a"); // localhost, as /etc/hosts says: 127.0.0.1
            proxy.resolver.lookup(host -> CompletableFuture.completedFuture(List.of(two)));
            awaitPeers(proxy, peers -> peers.equals(List.of("127.0.0.2:" + a.port())));
            assertThat(get(c)).isEqualTo("b");
            assertThat(get(c)).isEqualTo("b");
            int bConnections = b.accepted.get();
            proxy.resolver.lookup(host -> CompletableFuture.completedFuture(List.of(two, one)));
            awaitPeers(proxy, peers -> peers.size() == 2);
            for (int i = 0; i < 6; i++) {
                get(c);
            }
            assertThat(b.accepted.get()).as("the connection to the address that stayed is still used")
                    .isEqualTo(bConnections);
            assertThat(a.accepted.get()).isPositive();
            // a lookup that fails keeps what is known
            proxy.resolver.lookup(host -> CompletableFuture.failedFuture(new IllegalStateException("no answer")));
            Thread.sleep(2_500);
            assertThat(proxy.peers()).hasSize(2);
        }
    }

    static String get(RawClient c) {
        return c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body();
    }
}
