package dev.modhttp.engine.exchange;

import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Sends a body of file regions (and bytes between them, as in multipart/byteranges) through
 * the body filters in 64 KiB pieces when a filter must see its bytes or the protocol cannot send
 * a file zero-copy (TLS, HTTP/2). Reads pause while the connection is not writable, so a large file never piles up in
 * memory.
 */
public final class FileStreamer implements BodyPump {

    private static final int PIECE = 64 * 1024;

    private final Exchange exchange;
    private final List<Response.Piece> pieces;
    private int next;
    private Path openPath;
    private FileChannel channel;
    private long position;
    private long remaining;
    private boolean closed;

    FileStreamer(Exchange exchange, List<Response.Piece> pieces) {
        this.exchange = exchange;
        this.pieces = pieces;
    }

    void start() throws Exception {
        exchange.transport.onWritable(this);
        pump();
    }

    /** The client takes bytes again: sends on; a file that fails to read ends the connection (the head is out). */
    @Override
    public void resume() {
        try {
            pump();
        } catch (Exception e) {
            Log.error("sending a file failed", e);
            exchange.transport.close();
        }
    }

    /** Sends pieces while the connection can take them; called again when it becomes writable. */
    public void pump() throws Exception {
        while (!closed) {
            if (remaining == 0) {
                if (next == pieces.size()) {
                    close();
                    exchange.runtime.bodyChain.next(exchange, Unpooled.EMPTY_BUFFER, true);
                    return;
                }
                Response.Piece p = pieces.get(next++);
                if (p instanceof Response.Bytes b) {
                    exchange.runtime.bodyChain.next(exchange, b.buf(), false);
                    continue;
                }
                open((Response.FileBody) p);
                continue;
            }
            if (!exchange.transport.isWritable()) {
                exchange.transport.flush();
                return; // resumed by the transport on writability
            }
            int n = (int) Math.min(PIECE, remaining);
            ByteBuf buf = exchange.transport.alloc().buffer(n);
            try {
                int read = buf.writeBytes(channel, position, n);
                if (read <= 0) {
                    throw new IOException("file " + openPath + " shrank while being sent");
                }
                position += read;
                remaining -= read;
            } catch (IOException e) {
                buf.release();
                close();
                throw e;
            }
            exchange.runtime.bodyChain.next(exchange, buf, false);
        }
    }

    private void open(Response.FileBody file) throws IOException {
        if (file.channel() != null) {
            closeChannel();
            channel = file.channel();
            openPath = null; // owned for this piece only
        } else if (!file.path().equals(openPath)) {
            closeChannel();
            try {
                channel = FileChannel.open(file.path(), StandardOpenOption.READ);
            } catch (IOException e) {
                close();
                throw e;
            }
            openPath = file.path();
        }
        position = file.position();
        remaining = file.length();
    }

    /** Stops: closes the file and releases the bytes pieces not yet sent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        exchange.transport.onWritable(null);
        closeChannel();
        release(pieces, next);
    }

    private void closeChannel() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            Log.debug("closing {} failed: {}", openPath, e.toString());
        }
        channel = null;
        openPath = null;
    }

    /** Releases the buffers of {@code pieces} from index {@code from} on. */
    public static void release(List<Response.Piece> pieces, int from) {
        for (int i = from; i < pieces.size(); i++) {
            pieces.get(i).discard();
        }
    }
}
