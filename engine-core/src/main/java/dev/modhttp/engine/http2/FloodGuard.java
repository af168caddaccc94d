package dev.modhttp.engine.http2;

import dev.modhttp.engine.internal.Log;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;

/**
 * nginx's HTTP/2 flood detection, in front of the codec: it counts every byte a client sends and
 * the payload bytes of its HEADERS, CONTINUATION and DATA frames, and when a read leaves
 * {@code total / 8 > payload + 1 MiB}, the client is sending frames that cost work but carry
 * nothing (PING, SETTINGS, empty or ignored frames): "http2 flood detected" is logged at info
 * and the connection ends with GOAWAY NO_ERROR, as nginx ends it. The bytes pass on unchanged;
 * frame headers are read as they go by (RFC 9113 §4.1), across reads.
 *
 * <p>Netty's limits guard the rest: queued control frames of a client that does not read,
 * resets caused, runs of small CONTINUATION and empty DATA frames.
 */
final class FloodGuard extends ChannelInboundHandlerAdapter {

    private static final long SLACK = 1024 * 1024;
    private static final int HEADER = Http2CodecUtil.FRAME_HEADER_LENGTH;

    private final long connectionId;
    /** The client preface still to skip (RFC 9113 §3.4: 24 octets). */
    private int prefaceLeft = 24;
    private final byte[] header = new byte[HEADER];
    private int headerHave;
    /** Bytes of the current frame's payload still to pass. */
    private long payloadLeft;
    private long total;
    private long payload;
    private boolean flooded;

    FloodGuard(long connectionId) {
        this.connectionId = connectionId;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            if (flooded) {
                buf.release();
                return;
            }
            count(buf);
            ctx.fireChannelRead(buf);
            if (total / 8 > payload + SLACK) {
                flooded = true;
                Log.LOG.info("connection {}: http2 flood detected", connectionId);
                ctx.channel().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR))
                        .addListener(f -> ctx.close());
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void count(ByteBuf buf) {
        int at = buf.readerIndex();
        int end = buf.writerIndex();
        total += end - at;
        if (prefaceLeft > 0) {
            int n = Math.min(prefaceLeft, end - at);
            prefaceLeft -= n;
            at += n;
        }
        while (at < end) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - at);
                payloadLeft -= n;
                at += n;
                continue;
            }
            header[headerHave++] = buf.getByte(at++);
            if (headerHave == HEADER) {
                headerHave = 0;
                payloadLeft = (header[0] & 0xffL) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
                int type = header[3] & 0xff;
                if (type == 0x0 || type == 0x1 || type == 0x9) { // DATA, HEADERS, CONTINUATION
                    payload += payloadLeft;
                }
            }
        }
    }
}
