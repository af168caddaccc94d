package dev.modhttp.engine.http1;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the HTTP/1.1 request decoder (Jazzer), beside the seeded mutations
 * of {@link RequestDecoderFuzzTests}. Any input, cut into reads at
 * any places, must decode to the same requests as when it comes in one read; a fixed-length
 * body never gets a byte past its Content-Length; nothing follows a rejection, whose status is
 * one the decoder documents; no exception escapes and every buffer is released.
 * {@code ./mvnw test} runs the seeds under {@code RequestDecoderJazzerTestsInputs}, the build's
 * {@code jazzer-requestdecoder} execution fuzzes for its maxDuration, {@code tools/fuzz.sh} longer.
 */
public class RequestDecoderJazzerTests {

    private static final Set<Integer> STATUSES = Set.of(400, 414, 417, 431, 501, 505);

    @FuzzTest(maxDuration = "10s")
    void anyInputCutAnywhereDecodesAsInOneRead(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        int[] cuts = new int[data.consumeInt(0, 6)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, 4096);
        }
        int line = data.consumeInt(16, 512);
        byte[] input = data.consumeRemainingAsBytes();
        List<String> whole = decode(input, new int[0], line);
        List<String> pieces = decode(input, cuts, line);
        assertThat(pieces).as("the same input in reads cut at %s", Arrays.toString(cuts)).isEqualTo(whole);
    }

    /**
     * The decoder's output as text: each head, each request's body bytes joined, its end, a
     * rejection. Checks the invariants on the way.
     */
    private static List<String> decode(byte[] input, int[] cuts, int line) {
        EmbeddedChannel ch = new EmbeddedChannel();
        RequestDecoder decoder = new RequestDecoder(line, line * 4, false);
        ch.pipeline().addLast(decoder);
        List<String> events = new ArrayList<>();
        List<ByteBuf> fed = new ArrayList<>();
        Request current = new Request();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? Math.min(input.length, from + cuts[i]) : input.length;
            ByteBuf piece = Unpooled.wrappedBuffer(input, from, to - from).retain(); // kept to check its release
            fed.add(piece);
            ch.writeInbound(piece);
            drain(ch, decoder, events, current);
            from = to;
        }
        ch.finishAndReleaseAll();
        for (ByteBuf b : fed) {
            assertThat(b.refCnt()).as("input released by the decoder").isEqualTo(1);
            b.release();
        }
        return events;
    }

    /** What one request has produced so far. */
    private static final class Request {
        long contentLength = -1;
        boolean chunked;
        StringBuilder body;
        boolean rejected;
    }

    private static void drain(EmbeddedChannel ch, RequestDecoder decoder, List<String> events, Request r) {
        while (true) {
            Object m = ch.readInbound();
            if (m == null) {
                return;
            }
            assertThat(r.rejected).as("nothing after a rejection").isFalse();
            if (m instanceof RequestHead h) {
                assertThat(r.body).as("a head inside a request").isNull();
                events.add("head " + h.method() + " " + h.target() + " " + h.version() + " length=" + h.contentLength()
                        + " chunked=" + h.chunked() + " host=" + h.host() + " " + h.headers().entries());
                r.contentLength = h.contentLength();
                r.chunked = h.chunked();
                r.body = new StringBuilder();
            } else if (m instanceof ByteBuf b) {
                assertThat(r.body).as("body bytes outside a request").isNotNull();
                r.body.append(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
                if (!r.chunked) {
                    assertThat((long) r.body.length()).as("body bytes past Content-Length").isLessThanOrEqualTo(r.contentLength);
                }
            } else if (m == BodyEnd.INSTANCE) {
                assertThat(r.body).as("an end outside a request").isNotNull();
                if (!r.chunked) {
                    assertThat((long) r.body.length()).as("a whole fixed-length body").isEqualTo(Math.max(0, r.contentLength));
                }
                events.add("body " + r.body);
                r.body = null;
                decoder.resume();
                ch.runPendingTasks();
            } else if (m instanceof DecodeError e) {
                assertThat(STATUSES).as("a documented status").contains(e.status());
                events.add("error " + e.status() + " " + e.reason());
                r.rejected = true;
            } else {
                throw new AssertionError("unexpected output " + m);
            }
        }
    }
}
