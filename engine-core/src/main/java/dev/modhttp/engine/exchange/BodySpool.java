package dev.modhttp.engine.exchange;

import dev.modhttp.engine.core.TempDirectories;
import dev.modhttp.engine.internal.Log;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A request body larger than {@code client-body-buffer-size}, in a temporary file under
 * {@code client-body-temp-path} (nginx's client body temp file). Written on the event loop as
 * the bytes arrive, as nginx writes it from its worker; deleted when the request ends unless
 * {@code client-body-in-file-only: on} keeps it.
 */
final class BodySpool {

    private final Path path;
    private final FileChannel channel;
    private final boolean keep;

    private BodySpool(Path path, FileChannel channel, boolean keep) {
        this.path = path;
        this.channel = channel;
        this.keep = keep;
    }

    /** A new empty file in {@code dir} (the JVM's temp directory when null). */
    static BodySpool create(Path dir, boolean keep) throws IOException {
        Path p = TempDirectories.newFile(dir, "client-body-");
        try {
            return new BodySpool(p, FileChannel.open(p, StandardOpenOption.WRITE), keep);
        } catch (IOException e) {
            Files.deleteIfExists(p);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** Appends all readable bytes; the buffer is released in every case. */
    void write(ByteBuf bytes) throws IOException {
        try {
            while (bytes.isReadable()) {
                bytes.readBytes(channel, bytes.readableBytes());
            }
        } finally {
            bytes.release();
        }
    }

    /** The request ended: the file is closed and, unless kept, deleted. */
    void close() {
        try {
            channel.close();
            if (!keep) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            Log.LOG.warn("cannot delete the request body file {}: {}", path, e.toString());
        }
    }
}
