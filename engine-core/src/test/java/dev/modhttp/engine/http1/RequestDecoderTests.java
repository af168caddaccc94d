package dev.modhttp.engine.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The parser alone, fed raw bytes (\r and \n written as escapes in the table). */
class RequestDecoderTests {

    private final List<ByteBuf> allocated = new ArrayList<>();

    @AfterEach
    void nothingLeaked() {
        for (ByteBuf b : allocated) {
            assertThat(b.refCnt()).as("input buffer released").isZero();
        }
    }

    private List<Object> decode(String raw) {
        return decode(raw, 8192, 32768);
    }

    private List<Object> decode(String raw, int line, int head) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(line, head, false));
        ByteBuf in = Unpooled.copiedBuffer(raw.replace("\\r", "\r").replace("\\n", "\n"), StandardCharsets.ISO_8859_1);
        allocated.add(in);
        ch.writeInbound(in);
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof ByteBuf b) {
                out.add(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            } else {
                out.add(m);
            }
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private int status(String raw) {
        for (Object o : decode(raw)) {
            if (o instanceof DecodeError e) {
                return e.status();
            }
        }
        return 0;
    }

    @ParameterizedTest(name = "[{index}] {1}: {0}")
    @CsvSource(delimiterString = "=>", textBlock = """
            GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                        => 0
            GET / HTTP/1.0\\r\\n\\r\\n                                                   => 0
            \\r\\nGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                => 0
            GET / HTTP/1.1\\nHost: a\\n\\n                                              => 0
            GET /\\r\\n                                                                 => 400
            GET\\r\\n                                                                   => 400
            get / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                        => 400
            GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                       => 400
            GET / HTTP/1.1 \\r\\nHost: a\\r\\n\\r\\n                                       => 400
            GET / HTTP/1.x\\r\\nHost: a\\r\\n\\r\\n                                        => 400
            GET / HTTP/0.9\\r\\n\\r\\n                                                   => 400
            GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                                        => 505
            GET / HTTP/3.0\\r\\nHost: a\\r\\n\\r\\n                                        => 505
            GET / HTTX/1.1\\r\\nHost: a\\r\\n\\r\\n                                        => 400
            GET x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                        => 400
            GET /a\\rb HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                   => 400
            GET / HTTP/1.1\\rHost: a\\r\\n\\r\\n                                          => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\rb\\r\\n\\r\\n                          => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\u0001b\\r\\n\\r\\n                       => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX Y: z\\r\\n\\r\\n                            => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX : z\\r\\n\\r\\n                             => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\n X: z\\r\\n\\r\\n                             => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: y\\r\\n  z\\r\\n\\r\\n                     => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\n: z\\r\\n\\r\\n                               => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nNoColon\\r\\n\\r\\n                           => 400
            GET / HTTP/1.1\\r\\n\\r\\n                                                   => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                           => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: a\\r\\n\\r\\n                           => 400
            GET / HTTP/1.1\\r\\nHost: a..b\\r\\n\\r\\n                                     => 400
            GET / HTTP/1.1\\r\\nHost: a/b\\r\\n\\r\\n                                      => 400
            GET / HTTP/1.1\\r\\nHost: \\r\\n\\r\\n                                         => 400
            GET / HTTP/1.1\\r\\nHost: [::1]:80\\r\\n\\r\\n                                 => 0
            GET / HTTP/1.1\\r\\nHost: user@localhost\\r\\n\\r\\n                          => 400
            GET / HTTP/1.1\\r\\nHost: localhost:abc\\r\\n\\r\\n                           => 400
            GET / HTTP/1.1\\r\\nHost: localhost:80:80\\r\\n\\r\\n                         => 400
            GET / HTTP/1.1\\r\\nHost: [abcd::ef98:0:7654:321]..:98\\r\\n\\r\\n          => 400
            GET / HTTP/1.1\\r\\nHost: [abcd::ef98:0:7654:321]:98\\r\\n\\r\\n            => 0
            GET / HTTP/1.1\\r\\nHost: [not-an-address]\\r\\n\\r\\n                        => 400
            GET / HTTP/1.1\\r\\nHost: a.b.:8080\\r\\n\\r\\n                               => 0
            GET / HTTP/1.1\\r\\nHost: caf\\u00e9.test\\r\\n\\r\\n                          => 400
            GET http://example.com.:1.2/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n               => 400
            GET http://123.40.56.78:9000:80/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n           => 400
            GET http://[abcd::ef98:0:7654:321]./ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n      => 400
            GET http://extra[abcd::ef98:0:7654:321]/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n  => 400
            GET http://[abcd::ef98:0:7654:321/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n       => 400
            GET http://user@example.com/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n             => 400
            GET http://example.com:8080/x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n            => 0
            GET / HTTP/01.1\\r\\nHost: a\\r\\n\\r\\n                                       => 400
            GET / HTTP/1.01\\r\\nHost: a\\r\\n\\r\\n                                       => 400
            GET / HTTP/1.10\\r\\nHost: a\\r\\n\\r\\n                                       => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +5\\r\\n\\r\\n               => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0x5\\r\\n\\r\\n              => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: -1\\r\\n\\r\\n               => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1 2\\r\\n\\r\\n              => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3, 4\\r\\n\\r\\n            => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\nabc => 0
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length:\\r\\n\\r\\n                  => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n          => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n => 501
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n => 501
            POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n                  => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n\\r\\n => 0
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3;ext=1\\r\\nabc\\r\\n0\\r\\nT: v\\r\\n\\r\\n => 0
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nx\\r\\nabc\\r\\n0\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n-3\\r\\nabc\\r\\n0\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabcd\\r\\n0\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\nabc\\r\\n0\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\n0\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nffffffffffffffffff\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3 x\\r\\nabc\\r\\n0\\r\\n\\r\\n => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\nBad Trailer: x\\r\\n\\r\\n => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nExpect: something\\r\\n\\r\\n                 => 417
            """)
    void parsesStrictly(String raw, int expected) {
        assertThat(status(raw.replace("\\u0001", "\u0001").replace("\\u00e9", "\u00e9").trim())).isEqualTo(expected);
    }

    @Test
    void emitsHeadBodyAndEndThenPausesUntilResumed() {
        EmbeddedChannel ch = new EmbeddedChannel();
        RequestDecoder decoder = new RequestDecoder(8192, 32768, false);
        ch.pipeline().addLast(decoder);
        ByteBuf in = Unpooled.copiedBuffer("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n", StandardCharsets.US_ASCII);
        allocated.add(in);
        ch.writeInbound(in);
        RequestHead head = ch.readInbound();
        assertThat(head.method()).isEqualTo("POST");
        assertThat(head.target()).isEqualTo("/a");
        assertThat(head.contentLength()).isEqualTo(5);
        assertThat(head.host()).isEqualTo("h");
        ByteBuf body = ch.readInbound();
        assertThat(body.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        body.release();
        assertThat(ch.<Object>readInbound()).isSameAs(BodyEnd.INSTANCE);
        assertThat(ch.<Object>readInbound()).as("paused after one request").isNull();
        decoder.resume();
        ch.runPendingTasks();
        RequestHead second = ch.readInbound();
        assertThat(second.target()).isEqualTo("/b");
        assertThat(ch.<Object>readInbound()).isSameAs(BodyEnd.INSTANCE);
        ch.finishAndReleaseAll();
    }

    @Test
    void fieldNamesKeepTheClientsSpellingAndHostIsCountedInAnySpelling() {
        RequestHead head = (RequestHead) decode("GET / HTTP/1.1\r\nhost: a\r\nUser-Agent: u\r\nACCEPT: x\r\n"
                + "X-Odd-Name: y\r\n\r\n").get(0);
        assertThat(head.host()).isEqualTo("a");
        assertThat(head.headers().names()).containsExactlyInAnyOrder("host", "User-Agent", "ACCEPT", "X-Odd-Name");
        List<String> wire = new ArrayList<>();
        head.headers().iteratorCharSequence().forEachRemaining(e -> wire.add(e.getKey() + ": " + e.getValue()));
        assertThat(wire).containsExactly("host: a", "User-Agent: u", "ACCEPT: x", "X-Odd-Name: y");
        assertThat(head.headers().get("user-agent")).isEqualTo("u");
        assertThat(status("GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/1.1\r\nhost: a\r\nHost: a\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/1.1\r\nHosts: a\r\n\r\n")).as("not a Host").isEqualTo(400);
    }

    @Test
    void eachPipelinedRequestCountsItsOwnHost() {
        EmbeddedChannel ch = new EmbeddedChannel();
        RequestDecoder decoder = new RequestDecoder(8192, 32768, false);
        ch.pipeline().addLast(decoder);
        ByteBuf in = Unpooled.copiedBuffer("GET /a HTTP/1.1\r\nHost: one\r\n\r\nGET /b HTTP/1.1\r\nHost: two\r\n\r\n"
                + "GET /c HTTP/1.0\r\n\r\n", StandardCharsets.US_ASCII);
        allocated.add(in);
        ch.writeInbound(in);
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RequestHead head = ch.readInbound();
            hosts.add(head.host());
            assertThat(ch.<Object>readInbound()).isSameAs(BodyEnd.INSTANCE);
            decoder.resume();
            ch.runPendingTasks();
        }
        assertThat(hosts).containsExactly("one", "two", null);
        ch.finishAndReleaseAll();
    }

    @Test
    void requestLineOverTheBufferIs414AndAHeaderLineOrHeadOverIt431() {
        String longUri = "/" + "a".repeat(200);
        assertThat(firstError(decode("GET " + longUri + " HTTP/1.1\r\nHost: a\r\n\r\n", 100, 400))).isEqualTo(414);
        assertThat(firstError(decode("GET " + longUri, 100, 400))).as("even before the line ends").isEqualTo(414);
        assertThat(firstError(decode("GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(200) + "\r\n\r\n", 100, 400)))
                .isEqualTo(431);
        String many = "X: " + "v".repeat(80) + "\r\n";
        assertThat(firstError(decode("GET / HTTP/1.1\r\nHost: a\r\n" + many.repeat(6) + "\r\n", 100, 400)))
                .isEqualTo(431);
        assertThat(firstError(decode("GET / HTTP/1.1\r\nHost: a\r\n" + many.repeat(3) + "\r\n", 100, 400)))
                .isZero();
    }

    private static int firstError(List<Object> out) {
        return out.stream().filter(o -> o instanceof DecodeError).map(o -> ((DecodeError) o).status()).findFirst()
                .orElse(0);
    }

    /** Found by RequestDecoderJazzerTests: the reason for a 431 depended on where the reads were cut. */
    @Test
    void aHeadOverBothLimitsIsRefusedForTheSameReasonHoweverItArrives() {
        String head = "GET / HTTP/1.1\r\nHost: a\r\n" + ("X: " + "v".repeat(90) + "\r\n").repeat(3)
                + "Y: " + "w".repeat(150) + "\r\n\r\n"; // the last line is too long, and it overflows the section
        byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
        for (int cut = 1; cut < bytes.length; cut += 7) {
            EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(100, 400, false));
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            DecodeError error = ch.readInbound();
            assertThat(error.status()).isEqualTo(431);
            assertThat(error.reason()).as("cut at %d", cut).isEqualTo("header line too long");
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void chunkedBodyArrivesAsItsDataOnly() {
        List<Object> out = decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n");
        assertThat(out).hasSize(4);
        assertThat(out.get(1)).isEqualTo("abc");
        assertThat(out.get(2)).isEqualTo("0123456789");
        assertThat(out.get(3)).isSameAs(BodyEnd.INSTANCE);
        assertThat(((RequestHead) out.get(0)).chunked()).isTrue();
    }

    @Test
    void everythingAfterAnErrorIsDiscarded() {
        List<Object> out = decode("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out).hasSize(1);
        assertThat(((DecodeError) out.get(0)).status()).isEqualTo(400);
    }
}
