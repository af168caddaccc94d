package dev.modhttp.engine.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.logging.LogLevel;
import io.netty.util.collection.IntObjectHashMap;

/**
 * The DATA payload bytes each stream of a connection has sent, counted as the codec's frame
 * writer writes the frames, that is after flow control: a frame waiting for the client's window
 * is not counted, and a frame cut to fit the window counts the part that went. nginx counts a
 * stream's {@code $body_bytes_sent} the same way, as its DATA frames leave, so a download the
 * client resets logs what it received. Netty's frame logger is the hook at that point; it still
 * logs every frame at TRACE under this class's name.
 */
final class SentData extends Http2FrameLogger {

    /** Per stream: DATA payload bytes sent, and the {@link System#nanoTime()} of the last write. */
    private final IntObjectHashMap<long[]> sent = new IntObjectHashMap<>();

    SentData() {
        super(LogLevel.TRACE, SentData.class);
    }

    @Override
    public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
            boolean endStream) {
        if (direction == Direction.OUTBOUND) {
            long[] n = sent.get(streamId);
            if (n == null) {
                n = new long[2];
                sent.put(streamId, n);
            }
            n[0] += data.readableBytes();
            n[1] = System.nanoTime();
        }
        super.logData(direction, ctx, streamId, data, padding, endStream);
    }

    /** The DATA payload bytes stream {@code id} has sent. */
    long of(int id) {
        long[] n = sent.get(id);
        return n == null ? 0 : n[0];
    }

    /** When stream {@code id} last wrote DATA ({@link System#nanoTime()}); 0 for never. */
    long lastWrite(int id) {
        long[] n = sent.get(id);
        return n == null ? 0 : n[1];
    }

    /** Stream {@code id} is closed: its count goes. */
    void forget(int id) {
        sent.remove(id);
    }
}
