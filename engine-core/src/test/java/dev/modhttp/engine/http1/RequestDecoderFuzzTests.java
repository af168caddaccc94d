package dev.modhttp.engine.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzing of the parser, bounded and seeded so that a failure reproduces: valid
 * requests with bytes flipped, inserted (CR, LF, NUL, SP, ':', '%') or dropped, truncated,
 * and split over several reads. The parser must never throw, must answer only with its defined
 * statuses, must release every buffer, and must never emit more body bytes than it announced.
 */
class RequestDecoderFuzzTests {

    static final List<String> SEEDS = List.of(
            "GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
            "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world",
            "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n",
            "GET http://example.com/x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "HEAD / HTTP/1.1\r\nHost: [::1]:8080\r\nExpect: 100-continue\r\n\r\n");
    static final Set<Integer> STATUSES = Set.of(400, 414, 417, 431, 501, 505);
    static final byte[] INSERTS = {'\r', '\n', 0, ' ', ':', '%', '\t', (byte) 0x80, 0x7f};

    @Test
    void mutatedRequestsNeverBreakTheParser() {
        Random random = new Random(20261122);
        for (int run = 0; run < 20_000; run++) {
            byte[] input = mutate(SEEDS.get(random.nextInt(SEEDS.size())).getBytes(StandardCharsets.ISO_8859_1), random);
            feed(input, random, run);
        }
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(5)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b = insert(b, at, INSERTS[random.nextInt(INSERTS.length)]);
                case 2 -> b = remove(b, at);
                case 3 -> b = java.util.Arrays.copyOf(b, at);
                default -> b = insert(b, at, b[random.nextInt(b.length)]);
            }
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte value) {
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(b, at, out, at + 1, b.length - at);
        return out;
    }

    private static byte[] remove(byte[] b, int at) {
        byte[] out = new byte[b.length - 1];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + 1, out, at, b.length - at - 1);
        return out;
    }

    private static void feed(byte[] input, Random random, int run) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(256, 1024, false));
        int pos = 0;
        java.util.List<ByteBuf> written = new java.util.ArrayList<>();
        while (pos < input.length) {
            int n = Math.min(input.length - pos, 1 + random.nextInt(16));
            ByteBuf piece = Unpooled.copiedBuffer(input, pos, n);
            written.add(piece);
            ch.writeInbound(piece);
            pos += n;
        }
        long announced = -1;
        long bodyBytes = 0;
        boolean chunked = false;
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof RequestHead head) {
                announced = head.contentLength();
                chunked = head.chunked();
                bodyBytes = 0;
            } else if (m instanceof ByteBuf buf) {
                bodyBytes += buf.readableBytes();
                buf.release();
                if (!chunked) {
                    assertThat(bodyBytes).as("run %d: body within Content-Length", run).isLessThanOrEqualTo(announced);
                }
            } else if (m instanceof DecodeError error) {
                assertThat(STATUSES).as("run %d: status %d (%s)", run, error.status(), error.reason())
                        .contains(error.status());
            } else {
                assertThat(m).as("run %d", run).isSameAs(BodyEnd.INSTANCE);
            }
        }
        ch.finishAndReleaseAll();
        for (ByteBuf piece : written) {
            assertThat(piece.refCnt()).as("run %d: input released", run).isZero();
        }
    }
}
