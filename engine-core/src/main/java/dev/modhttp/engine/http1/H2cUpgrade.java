package dev.modhttp.engine.http1;

import dev.modhttp.engine.http2.Http2Connection;
import dev.modhttp.engine.http2.Http2Handoff;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1's way to HTTP/2 on a plain port (RFC 7540 §3.2, opt-in with {@code http2-upgrade}):
 * a request without a body that asks {@code Upgrade: h2c} with one {@code HTTP2-Settings} and
 * names both in {@code Connection} gets {@code 101 Switching Protocols}, and its response comes
 * on stream 1 of the HTTP/2 connection that follows. Any other request, or settings that do not
 * decode, is served over HTTP/1.1 as if it had not asked (the RFC lets a server ignore Upgrade).
 */
final class H2cUpgrade {

    private static final byte[] SWITCHING = ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            + "Upgrade: h2c\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private H2cUpgrade() {
    }

    /**
     * The client's settings when {@code head} asks to upgrade as RFC 7540 §3.2 requires; null
     * otherwise. The payload is a SETTINGS frame's, base64url (§3.2.1); decoded here because
     * Netty's decoder is private to its upgrade handler, which expects Netty's HTTP/1 codec.
     */
    static Http2Settings settings(RequestHead head) {
        List<String> values = head.headers().getAll(Http2CodecUtil.HTTP_UPGRADE_SETTINGS_HEADER);
        if (head.version() != HttpVersion.HTTP_1_1 || head.hasBody() || values.size() != 1
                || !tokens(head, HttpHeaderNames.UPGRADE).contains("h2c")
                || !tokens(head, HttpHeaderNames.CONNECTION).containsAll(List.of("upgrade", "http2-settings"))) {
            return null;
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(values.get(0).trim().replace("=", ""));
            if (payload.length % 6 != 0) {
                return null;
            }
            Http2Settings settings = new Http2Settings();
            for (int i = 0; i < payload.length; i += 6) {
                char id = (char) ((payload[i] & 0xff) << 8 | payload[i + 1] & 0xff);
                long value = (payload[i + 2] & 0xffL) << 24 | (payload[i + 3] & 0xff) << 16 | (payload[i + 4] & 0xff) << 8
                        | payload[i + 5] & 0xff;
                settings.put(id, Long.valueOf(value)); // refuses values out of range
            }
            return settings;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<String> tokens(RequestHead head, CharSequence name) {
        return head.headers().getAll(name).stream().flatMap(v -> List.of(v.split(",")).stream())
                .map(t -> t.trim().toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * When {@code head} asks to upgrade with settings that decode: answers 101, then hands the
     * connection to HTTP/2 with the request as stream 1.
     *
     * @return whether it did; else the request is HTTP/1.1's to serve
     */
    static boolean switched(ChannelHandlerContext ctx, RequestHead head, Http1Timer timer, Http2Handoff handoff) {
        Http2Settings settings = settings(head);
        if (settings == null) {
            return false;
        }
        timer.stop();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(SWITCHING));
        HttpHeaders headers = head.headers().copy().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http");
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(head.version(), HttpMethod.valueOf(head.method()),
                head.target(), Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
        ctx.pipeline().remove(ctx.handler());
        ctx.pipeline().remove(RequestDecoder.class);
        Http2Connection.installUpgraded(ctx.pipeline(), handoff, settings, request);
        return true;
    }
}
