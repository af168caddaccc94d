package dev.modhttp.engine.http1;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.TransportProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the PROXY protocol header (Jazzer), as a port with
 * {@code proxy-protocol} reads it: Netty's {@code HAProxyMessageDecoder} first in the pipeline
 * ({@link ProxyProtocol#decoder}), then {@link ProxyProtocol#clientAddress}. Any bytes, cut into reads at any places, give the same
 * header, the same bytes after it and the same client address as in one read, or the same
 * rejection; the client address is the header's source for a PROXY command over TCP on IPv4 or
 * IPv6 and none otherwise (nginx ignores a datagram's); the header and every buffer are released.
 */
public class ProxyProtocolJazzerTests {

    @FuzzTest(maxDuration = "10s")
    void anyInputCutAnywhereGivesTheSameHeaderAsInOneRead(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        int[] cuts = new int[data.consumeInt(0, 6)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, 256);
        }
        byte[] input = data.consumeRemainingAsBytes();
        List<String> whole = decode(input, new int[0]);
        List<String> pieces = decode(input, cuts);
        assertThat(pieces).as("the same input in reads cut at %s", Arrays.toString(cuts)).isEqualTo(whole);
    }

    /** What the connection sees: the header and the client address, the bytes after it, a rejection. */
    private static List<String> decode(byte[] input, int[] cuts) {
        EmbeddedChannel ch = new EmbeddedChannel(ProxyProtocol.decoder());
        List<String> events = new ArrayList<>();
        List<ByteBuf> fed = new ArrayList<>();
        StringBuilder after = new StringBuilder();
        int from = 0;
        for (int i = 0; i <= cuts.length && ch.isOpen(); i++) {
            int to = i < cuts.length ? Math.min(input.length, from + cuts[i]) : input.length;
            ByteBuf piece = Unpooled.wrappedBuffer(input, from, to - from).retain(); // kept to check its release
            fed.add(piece);
            try {
                ch.writeInbound(piece);
            } catch (DecoderException e) {
                reject(ch, events, e);
            }
            drain(ch, events, after);
            from = to;
        }
        if (after.length() > 0) {
            events.add("then " + after);
        }
        try {
            ch.finishAndReleaseAll();
        } catch (DecoderException e) {
            if (events.stream().noneMatch(event -> event.startsWith("rejected"))) {
                events.add("rejected at the end");
            } // else refused again, closing
        }
        for (ByteBuf b : fed) {
            assertThat(b.refCnt()).as("input released by the decoder").isEqualTo(1);
            b.release();
        }
        return events;
    }

    /**
     * A rejection: a {@link HAProxyProtocolException}, the decoder closing the connection, which the
     * connection logs in one line. A TLV running past the one holding it (Netty's
     * IndexOutOfBoundsException) is one too ({@link ProxyProtocol#decoder}): never an engine fault
     * logged with its stack. Closing, the decoder tries the bytes it holds once more: what it makes
     * of them meets a closed connection, and is released.
     */
    private static void reject(EmbeddedChannel ch, List<String> events, DecoderException e) {
        assertThat(e).as("a broken header").isInstanceOf(HAProxyProtocolException.class);
        assertThat(ch.isOpen()).as("open after \"%s\"", e.getMessage()).isFalse();
        events.add("rejected");
        for (Object m = ch.readInbound(); m != null; m = ch.readInbound()) {
            ReferenceCountUtil.release(m);
        }
    }

    private static void drain(EmbeddedChannel ch, List<String> events, StringBuilder after) {
        for (Object m = ch.readInbound(); m != null; m = ch.readInbound()) {
            if (m instanceof HAProxyMessage proxy) {
                assertThat(events).as("a header after %s", events).isEmpty();
                assertThat(after).as("a header after the bytes that follow one").isEmpty();
                String header = describe(proxy);
                AddressFamily family = proxy.proxiedProtocol().addressFamily();
                boolean proxied = proxy.command() == HAProxyCommand.PROXY
                        && (family == AddressFamily.AF_IPv4 || family == AddressFamily.AF_IPv6)
                        && proxy.proxiedProtocol().transportProtocol() == TransportProtocol.STREAM;
                int port = proxy.sourcePort();
                InetSocketAddress client = ProxyProtocol.clientAddress(proxy, 0);
                assertThat(proxy.refCnt()).as("%s released", header).isZero();
                if (proxied) {
                    assertThat(client).as("the client of %s", header).isNotNull();
                    assertThat(client.getPort()).isEqualTo(port);
                } else {
                    assertThat(client).as("the client of %s", header).isNull();
                }
                events.add(header + " client " + client);
            } else if (m instanceof ByteBuf b) {
                after.append(ByteBufUtil.hexDump(b));
                b.release();
            } else {
                throw new AssertionError("unexpected output " + m);
            }
        }
    }

    private static String describe(HAProxyMessage m) {
        StringBuilder sb = new StringBuilder().append(m.protocolVersion()).append(' ').append(m.command()).append(' ')
                .append(m.proxiedProtocol()).append(' ').append(m.sourceAddress()).append(':').append(m.sourcePort())
                .append(" -> ").append(m.destinationAddress()).append(':').append(m.destinationPort());
        for (HAProxyTLV tlv : m.tlvs()) {
            sb.append(" tlv ").append(tlv.typeByteValue()).append('=').append(ByteBufUtil.hexDump(tlv.content()));
        }
        return sb.toString();
    }
}
