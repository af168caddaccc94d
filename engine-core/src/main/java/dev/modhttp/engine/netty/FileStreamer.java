package dev.modhttp.engine.netty;

import dev.modhttp.engine.http.Response;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Sends a file body through the body filters in 64 KiB pieces when a filter must see its
 * bytes (zero-copy is impossible then). Reads pause while the connection is not writable,
 * so a large file never piles up in memory.
 */
final class FileStreamer {

    private static final int PIECE = 64 * 1024;

    private final Exchange exchange;
    private final Response.FileBody file;
    private FileChannel channel;
    private long position;
    private long remaining;

    FileStreamer(Exchange exchange, Response.FileBody file) {
        this.exchange = exchange;
        this.file = file;
    }

    void start() throws Exception {
        channel = FileChannel.open(file.path(), StandardOpenOption.READ);
        position = file.position();
        remaining = file.length();
        exchange.conn.fileStreamer(this);
        if (remaining == 0) {
            close();
            exchange.conn.runtime.bodyChain.next(exchange, io.netty.buffer.Unpooled.EMPTY_BUFFER, true);
            return;
        }
        pump();
    }

    /** Sends pieces while the connection can take them; called again when it becomes writable. */
    void pump() throws Exception {
        while (remaining > 0) {
            if (!exchange.conn.isWritable()) {
                exchange.conn.flushIfNeeded();
                return; // resumed by Connection on writability
            }
            int n = (int) Math.min(PIECE, remaining);
            ByteBuf buf = exchange.conn.alloc().buffer(n);
            try {
                int read = buf.writeBytes(channel, position, n);
                if (read <= 0) {
                    throw new IOException("file " + file.path() + " shrank while being sent");
                }
                position += read;
                remaining -= read;
            } catch (IOException e) {
                buf.release();
                close();
                throw e;
            }
            if (remaining == 0) {
                close();
            }
            exchange.conn.runtime.bodyChain.next(exchange, buf, remaining == 0);
        }
    }

    void close() {
        exchange.conn.fileStreamer(null);
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            Log.debug("closing {} failed: {}", file.path(), e.toString());
        }
    }
}
