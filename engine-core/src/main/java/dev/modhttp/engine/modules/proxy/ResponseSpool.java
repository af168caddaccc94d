package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.core.TempDirectories;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The part of a buffered response the memory buffers could not hold (nginx's proxy temp file):
 * appended at its end as the backend sends, read from its start as the client takes bytes, and
 * started over once read to its end. The file has no name from its opening on (the JDK unlinks
 * a delete-on-close file at once on Unix), so nothing is left behind, not even after a crash.
 */
final class ResponseSpool {

    private final Path path;
    private final FileChannel channel;
    private long written;
    private long read;

    private ResponseSpool(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** A new spool in {@code dir} (the JVM's temp directory when null). */
    static ResponseSpool create(Path dir) throws IOException {
        Path p = TempDirectories.newFile(dir, "proxy-");
        try {
            return new ResponseSpool(p, FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE));
        } catch (IOException e) {
            Files.deleteIfExists(p);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** Bytes in the file now: what was written since it was last read to its end. */
    long size() {
        return written;
    }

    boolean isEmpty() {
        return read == written;
    }

    /** Appends all readable bytes of {@code bytes}, which stays the caller's. */
    void append(ByteBuf bytes) throws IOException {
        while (bytes.isReadable()) {
            written += bytes.readBytes(channel, written, bytes.readableBytes());
        }
    }

    /** The next piece of at most {@code max} bytes, in a buffer the caller owns. */
    ByteBuf next(ByteBufAllocator alloc, int max) throws IOException {
        int n = (int) Math.min(max, written - read);
        ByteBuf piece = alloc.ioBuffer(n);
        try {
            while (piece.writerIndex() < n) {
                int got = piece.writeBytes(channel, read + piece.writerIndex(), n - piece.writerIndex());
                if (got < 0) {
                    throw new IOException("the proxy temporary file " + path + " ended early");
                }
            }
        } catch (IOException | RuntimeException e) {
            piece.release();
            throw e;
        }
        read += n;
        if (read == written) {
            read = 0; // read to its end: the next bytes start it over
            written = 0;
        }
        return piece;
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file has no name any more: closing frees it whatever happens
        }
    }
}
