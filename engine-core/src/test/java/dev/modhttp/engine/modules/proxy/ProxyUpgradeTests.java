package dev.modhttp.engine.modules.proxy;

import static dev.modhttp.engine.modules.proxy.RawBackend.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.TestEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A WebSocket-like upgrade through the proxy: the 101, then bytes both ways until a side ends. */
@Timeout(60)
class ProxyUpgradeTests {

    /** Answers an upgrade with 101, then echoes what it reads in upper case until the client leaves. */
    static RawBackend echo(CountDownLatch ended) throws IOException {
        return new RawBackend((head, body, out, s) -> {
            if (!head.toLowerCase(Locale.ROOT).contains("\r\nupgrade: shout\r\n")) {
                write(out, "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n");
                return true;
            }
            write(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(new String(buf, 0, n, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT)
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            ended.countDown();
            return false;
        });
    }

    static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static String read(InputStream in, int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    static String yaml(int port, String keys) {
        return """
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /ws/
                        proxy-pass: http://127.0.0.1:%d
                %s
                """.formatted(port, keys);
    }

    @Test
    void anUpgradedConnectionCarriesBytesBothWaysUntilTheClientLeaves() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        for (String keys : new String[] {"        proxy-upgrade: on",
            "        proxy-set-header: [\"Upgrade $http_upgrade\", \"Connection upgrade\"]"}) {
            try (RawBackend b = echo(ended); TestEngine e = TestEngine.start(yaml(b.port(), keys));
                    Socket c = new Socket("127.0.0.1", e.port())) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write(("GET /ws/chat HTTP/1.1\r\nHost: a\r\nUpgrade: shout\r\n"
                        + "Connection: Upgrade\r\n\r\nfirst").getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = c.getInputStream();
                String head = head(in);
                assertThat(head).as(keys).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                        .contains("\r\nUpgrade: shout\r\n", "\r\nConnection: upgrade\r\n");
                assertThat(read(in, 5)).isEqualTo("FIRST"); // sent with the request, before the 101
                c.getOutputStream().write("hello".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(read(in, 5)).isEqualTo("HELLO");
                ProxyModule proxy = e.engine().module(ProxyModule.class).orElseThrow();
                assertThat(proxy.peers().get(0).active()).as("the open tunnel counts for least-conn").isEqualTo(1);
                c.shutdownOutput();
                assertThat(ended.await(10, TimeUnit.SECONDS)).as("the backend saw the client leave").isTrue();
                assertThat(in.read()).isEqualTo(-1);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (proxy.peers().get(0).active() != 0 && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertThat(proxy.peers().get(0).active()).isZero();
            }
            ended = new CountDownLatch(1);
        }
    }

    @Test
    void withoutTheKeysTheUpgradeIsNotPassedOn() throws Exception {
        try (RawBackend b = echo(new CountDownLatch(1)); TestEngine e = TestEngine.start(yaml(b.port(), ""));
                Socket c = new Socket("127.0.0.1", e.port())) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write("GET /ws/chat HTTP/1.1\r\nHost: a\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertThat(head(c.getInputStream())).startsWith("HTTP/1.1 426 ");
        }
    }

    @Test
    void anIdleTunnelEndsAfterProxyReadTimeout() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        try (RawBackend b = echo(ended); TestEngine e = TestEngine.start(yaml(b.port(),
                "        proxy-upgrade: on\n        proxy-read-timeout: 300ms"));
                Socket c = new Socket("127.0.0.1", e.port())) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write("GET /ws/ HTTP/1.1\r\nHost: a\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = c.getInputStream();
            assertThat(head(in)).startsWith("HTTP/1.1 101 ");
            long start = System.nanoTime();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aGracefulStopClosesTunnelsWhenItsTimeIsUp() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        try (RawBackend b = echo(ended); Socket c = new Socket()) {
            TestEngine e = TestEngine.start(yaml(b.port(), "        proxy-upgrade: on"));
            c.connect(new InetSocketAddress("127.0.0.1", e.port()));
            c.setSoTimeout(10_000);
            c.getOutputStream().write(("GET /ws/chat HTTP/1.1\r\nHost: a\r\nUpgrade: shout\r\n"
                    + "Connection: Upgrade\r\n\r\nping").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = c.getInputStream();
            assertThat(head(in)).startsWith("HTTP/1.1 101 ");
            assertThat(read(in, 4)).isEqualTo("PING");
            long grace = 500;
            long start = System.nanoTime();
            e.engine().stop(Duration.ofMillis(grace)); // the tunnel is busy: it lives until the grace ends
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(took).as("stop waited for the tunnel's grace").isGreaterThanOrEqualTo(grace);
            assertThat(in.read()).as("the client's side is closed").isEqualTo(-1);
            assertThat(ended.await(5, TimeUnit.SECONDS)).as("the backend's side is closed").isTrue();
        }
    }
}
