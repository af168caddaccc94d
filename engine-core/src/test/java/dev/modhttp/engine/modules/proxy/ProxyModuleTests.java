package dev.modhttp.engine.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProxyModuleTests {

    static String yaml(Backend a, String more) {
        return """
                servers:
                  - listen: ["127.0.0.1:0"]
                    server-names: [front]
                    locations:
                      - location: /a/
                        proxy-pass: http://127.0.0.1:%1$d/x/
                      - location: /plain/
                        proxy-pass: http://127.0.0.1:%1$d
                      - location: /set/
                        proxy-pass: http://127.0.0.1:%1$d
                        proxy-set-header: ["X-Real-IP $remote_addr", "X-Forwarded-For $proxy_add_x_forwarded_for", "Accept ''"]
                      - location: /redirect
                        proxy-pass: http://127.0.0.1:%1$d/redirect
                      - location: /vars/
                        proxy-pass: http://127.0.0.1:%1$d
                        proxy-hide-header: [X-Backend]
                        add-header: ["X-Seen $upstream_addr $upstream_status $upstream_http_x_backend always"]
                %2$s
                """.formatted(a.port(), more);
    }

    @Test
    void aUriPartReplacesTheMatchedPrefix() throws Exception {
        try (Backend b = new Backend("b1"); TestEngine e = TestEngine.start(yaml(b, ""))) {
            HttpResponse<String> r = e.http().get("/a/echo/one?q=1");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("GET /x/echo/one?q=1\n");
            assertThat(r.body()).contains("host: 127.0.0.1:" + b.port() + "\n");
            assertThat(r.headers().firstValue("X-Backend")).hasValue("b1");
            assertThat(r.headers().firstValue("Server")).hasValue("modhttp");
        }
    }

    @Test
    void withoutAUriPartTheTargetGoesAsTheClientSentIt() throws Exception {
        try (Backend b = new Backend("b1"); TestEngine e = TestEngine.start(yaml(b, ""));
                RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /plain/echo/%41/../b//c?x=%20 HTTP/1.1\r\nHost: front\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("GET /plain/echo/%41/../b//c?x=%20\n");
        }
    }

    @Test
    void setHeadersGoFirstAndReplaceTheClientsFields() throws Exception {
        try (Backend b = new Backend("b1"); TestEngine e = TestEngine.start(yaml(b, ""))) {
            HttpResponse<String> r = e.http().send(HttpRequest.newBuilder(e.http().uri("/set/echo"))
                    .header("X-Forwarded-For", "10.0.0.1").header("Accept", "text/html").header("X-Mine", "kept"));
            assertThat(r.body()).contains("x-real-ip: 127.0.0.1\n", "x-forwarded-for: 10.0.0.1, 127.0.0.1\n",
                    "x-mine: kept\n").doesNotContain("accept:");
        }
    }

    @Test
    void aBodyGoesToTheBackend() throws Exception {
        try (Backend b = new Backend("b1"); TestEngine e = TestEngine.start(yaml(b, ""))) {
            HttpResponse<String> r = e.http().send(HttpRequest.newBuilder(e.http().uri("/plain/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("hello body")));
            assertThat(r.body()).startsWith("POST /plain/echo\n").contains("content-length: 10\n")
                    .endsWith("\n\nhello body");
        }
    }

    @Test
    void theBackendsRedirectIsRewrittenToTheLocation() throws Exception {
        try (Backend b = new Backend("b1"); TestEngine e = TestEngine.start(yaml(b, "")); RawClient c = e.raw()) {
            // proxy-pass http://127.0.0.1:P/redirect in location /redirect: the backend's own URL maps back
            RawClient.Response r = c.send("GET /redirect/x HTTP/1.1\r\nHost: front.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("Location")).isEqualTo("http://front.test:" + e.port() + "/redirect/there");
            // one that does not start with the proxy-pass URL is left as it is
            RawClient.Response other = c.send("GET /redirect HTTP/1.1\r\nHost: front.test\r\n\r\n").read();
            assertThat(other.header("Location")).isEqualTo("http://127.0.0.1:" + b.port() + "/x/there");
        }
    }

    @Test
    void upstreamVariablesAndHiddenFields() throws Exception {
        try (Backend b = new Backend("b1"); TestEngine e = TestEngine.start(yaml(b, ""))) {
            HttpResponse<String> r = e.http().get("/vars/x");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Backend")).isEmpty();
            assertThat(r.headers().firstValue("X-Seen")).hasValue("127.0.0.1:" + b.port() + " 200 b1");
        }
    }

    @Test
    void fieldsTheConnectionHeaderNamesStayHereAndNonAsciiBytesPassUnchanged() throws Exception {
        try (Backend b = new Backend("b1"); TestEngine e = TestEngine.start(yaml(b, "")); RawClient c = e.raw()) {
            byte[] req = ("GET /plain/echo HTTP/1.1\r\nHost: front\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: 1\r\nX-Name: caf\u00e9\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            RawClient.Response r = c.send(req).read();
            assertThat(r.status()).isEqualTo(200);
            String seen = new String(r.bytes(), StandardCharsets.ISO_8859_1);
            assertThat(seen).doesNotContain("x-secret").doesNotContain("keep-alive").contains("x-name: caf\u00e9\n");
        }
    }

    @Test
    void aRefusedBackendIs502AndTheServerGoesOn() throws Exception {
        int dead;
        try (Backend b = new Backend("gone")) {
            dead = b.port();
        }
        String y = """
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://127.0.0.1:%d
                      - location: /ok
                        return: "200 ok"
                """.formatted(dead);
        try (TestEngine e = TestEngine.start(y)) {
            HttpResponse<String> r = e.http().get("/x");
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).contains("<h1>502 Bad Gateway</h1>");
            assertThat(e.http().get("/ok").body()).isEqualTo("ok");
        }
    }

    @Test
    void anUpstreamSpreadsRequestsAndSkipsADeadPeer() throws Exception {
        int dead;
        try (Backend g = new Backend("gone")) {
            dead = g.port();
        }
        try (Backend b1 = new Backend("b1"); Backend b2 = new Backend("b2")) {
            String y = """
                    upstreams:
                      - name: app
                        servers: ["127.0.0.1:%d", "127.0.0.1:%d weight=2", "127.0.0.1:%d"]
                    servers:
                      - listen: ["127.0.0.1:0"]
                        locations:
                          - location: /
                            proxy-pass: http://app
                    """.formatted(b1.port(), b2.port(), dead);
            try (TestEngine e = TestEngine.start(y)) {
                int ones = 0;
                int twos = 0;
                for (int i = 0; i < 30; i++) {
                    HttpResponse<String> r = e.http().get("/");
                    assertThat(r.statusCode()).isEqualTo(200);
                    if (r.body().equals("b1")) {
                        ones++;
                    } else if (r.body().equals("b2")) {
                        twos++;
                    }
                }
                assertThat(ones + twos).isEqualTo(30);
                assertThat(twos).isGreaterThan(ones);
            }
        }
    }

    @Test
    void pooledConnectionsAreReused() throws Exception {
        try (Backend b = new Backend("b1"); TestEngine e = TestEngine.start(yaml(b, "")); RawClient c = e.raw()) {
            for (int i = 0; i < 20; i++) {
                RawClient.Response r = c.send("GET /plain/echo HTTP/1.1\r\nHost: front\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).doesNotContain("connection: close");
            }
        }
    }

    @Test
    void theUpstreamVariablesCountEveryAttemptAsNginxWritesThem() throws Exception {
        int dead;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = probe.getLocalPort(); // closed below: connections are refused
        }
        String answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        try (RawBackend b = new RawBackend((head, body, out, sock) -> {
            RawBackend.write(out, answer);
            return true;
        }); TestEngine e = TestEngine.start("""
                log-format:
                  up: '$upstream_addr|$upstream_status|$upstream_response_length|$upstream_bytes_received|$upstream_bytes_sent'
                upstreams:
                  - name: two
                    servers: ["127.0.0.1:%d", "127.0.0.1:%d"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://two
                        access-log: ["logger:test.access up"]
                """.formatted(dead, b.port())); RawClient c = e.raw()) {
            MemoryAppender.clear();
            assertThat(c.send("GET /v HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("ok");
            String expected = "127.0.0.1:" + dead + ", 127.0.0.1:" + b.port() + "|502, 200|0, 2|0, " + answer.length()
                    + "|0, " + b.heads.get(0).length();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (MemoryAppender.lines().stream().noneMatch(l -> l.contains(expected)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(MemoryAppender.lines()).anyMatch(l -> l.contains(expected));
        }
    }

    /** A small Netty backend: echoes the request's body back chunked, in pieces of 1000 bytes, with its method and length. */
    static Channel nettyEcho(EventLoopGroup group) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.OK);
                                        head.headers().set("Transfer-Encoding", "chunked")
                                                .set("X-Got", req.method() + " " + req.content().readableBytes());
                                        ctx.write(head);
                                        ByteBuf body = req.content();
                                        while (body.isReadable()) {
                                            ctx.write(new DefaultHttpContent(body.readRetainedSlice(
                                                    Math.min(1000, body.readableBytes()))));
                                        }
                                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                                    }
                                });
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    @Test
    void chunkedAndLengthBodiesGoBothWaysThroughASmallNettyBackend() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel backend = nettyEcho(group);
            int port = ((InetSocketAddress) backend.localAddress()).getPort();
            try (TestEngine e = TestEngine.start(ProxyConfigs.root(port, """
                            proxy-request-buffering: on
                            """)); RawClient c = e.raw()) {
                String body = "n".repeat(2500);
                RawClient.Response length = c.send("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2500\r\n\r\n" + body)
                        .read();
                assertThat(length.header("X-Got")).isEqualTo("POST 2500");
                assertThat(length.header("Transfer-Encoding")).isEqualTo("chunked");
                assertThat(length.body()).isEqualTo(body);
                RawClient.Response chunked = c.send("POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
                assertThat(chunked.header("X-Got")).isEqualTo("POST 11");
                assertThat(chunked.body()).isEqualTo("hello world");
            }
            try (TestEngine e = TestEngine.start(ProxyConfigs.root(port, """
                            proxy-request-buffering: off
                            """)); RawClient c = e.raw()) {
                RawClient.Response chunked = c.send("POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
                assertThat(chunked.header("X-Got")).as("unbuffered (chunked on the wire: ProxyBufferingTests)").isEqualTo("POST 11");
                assertThat(chunked.body()).isEqualTo("hello world");
            }
            backend.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
