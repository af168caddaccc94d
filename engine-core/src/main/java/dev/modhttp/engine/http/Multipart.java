package dev.modhttp.engine.http;

import dev.modhttp.engine.core.CoreModule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpData;
import io.netty.handler.codec.http.multipart.HttpPostMultipartRequestDecoder;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parts of a {@code multipart/form-data} request body (RFC 7578), parsed by Netty's
 * multipart decoder from the body as the engine buffered it (memory, or its temporary file past
 * {@code client-body-buffer-size}). A part past 16 KiB is kept in a file under the location's
 * {@code client-body-temp-path}; {@link #close()} deletes them, so parse in a try-with-resources:
 *
 * <pre>{@code
 * try (Multipart form = Multipart.parse(exchange, new Multipart.Limits(10 << 20, 50 << 20, 20))) {
 *     Multipart.Part file = form.part("file");
 *     Files.copy(file.path(), target);   // or file.bytes() when it is small
 * } catch (Multipart.Failure e) {
 *     return Result.status(e.status());   // 400, 413 or 415
 * }
 * }</pre>
 *
 * Parsing reads files: do it in a blocking handler. Limits apply on top of
 * {@code client-max-body-size}, which bounds the whole body before a handler sees it.
 */
public final class Multipart implements AutoCloseable {

    /** How much of a part is kept in memory before it goes to a file. */
    static final long IN_MEMORY = 16 * 1024;

    /**
     * @param maxPartSize the most bytes one part may hold
     * @param maxTotalSize the most bytes all parts may hold together
     * @param maxParts the most parts
     */
    public record Limits(long maxPartSize, long maxTotalSize, int maxParts) {
    }

    /** A request the form cannot be read from: {@link #status()} is the answer (400, 413, 415). */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** One part: a field (no filename) or a file. */
    public static final class Part {
        private final HttpData data;

        Part(HttpData data) {
            this.data = data;
        }

        /** The {@code name} of its Content-Disposition. */
        public String name() {
            return data.getName();
        }

        /** The file's name as the client sent it (never a path to trust), or null for a field. */
        public String filename() {
            return data instanceof FileUpload f ? f.getFilename() : null;
        }

        /** The part's Content-Type; {@code text/plain} for a field. */
        public String contentType() {
            return data instanceof FileUpload f ? f.getContentType() : "text/plain";
        }

        /** Its length in bytes. */
        public long size() {
            return data.length();
        }

        /** The file holding it, or null while it is small enough to be kept in memory. */
        public Path path() {
            try {
                return data.isInMemory() ? null : data.getFile().toPath();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Its bytes (read from its file when it has one). */
        public byte[] bytes() {
            try {
                return data.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Its text, in the part's charset or UTF-8. */
        public String text() {
            try {
                return data.getString(data.getCharset() == null ? StandardCharsets.UTF_8 : data.getCharset());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final HttpPostMultipartRequestDecoder decoder;
    private final List<Part> parts;

    private Multipart(HttpPostMultipartRequestDecoder decoder, List<Part> parts) {
        this.decoder = decoder;
        this.parts = parts;
    }

    /**
     * Parses {@code exchange}'s request body.
     *
     * @throws Failure 415 for a body that is not {@code multipart/form-data} with a boundary, 400 for a
     *     malformed one, 413 past a limit
     */
    public static Multipart parse(HttpExchange exchange, Limits limits) throws Failure {
        Request request = exchange.request();
        String type = request.header("Content-Type");
        String boundary = type == null ? null : boundary(type);
        if (boundary == null || !type.split(";")[0].trim().equalsIgnoreCase("multipart/form-data")) {
            throw new Failure(415, "not multipart/form-data with a boundary: " + type);
        }
        DefaultHttpDataFactory factory = new DefaultHttpDataFactory(IN_MEMORY);
        Path temp = exchange.config(CoreModule.CONFIG).clientBodyTempPath(); // unset: the JVM's, as for bodies
        factory.setBaseDir(temp == null ? System.getProperty("java.io.tmpdir") : temp.toString());
        factory.setDeleteOnExit(false); // close() deletes them; the JVM's list would only grow
        factory.setMaxLimit(limits.maxPartSize());
        HttpPostMultipartRequestDecoder decoder;
        try {
            decoder = new HttpPostMultipartRequestDecoder(factory,
                    new DefaultHttpRequest(request.version(), HttpMethod.POST, request.rawUri(), request.headers()),
                    StandardCharsets.UTF_8, Math.max(1, limits.maxParts()), 1024); // past maxParts: TooManyFormFields
        } catch (RuntimeException e) { // a Content-Type the decoder cannot take (a boundary it cannot read)
            throw new Failure(400, "malformed multipart Content-Type: " + e);
        }
        byte[] closing = ("--" + boundary + "--").getBytes(StandardCharsets.ISO_8859_1);
        try {
            if (!feed(decoder, request, closing)) { // RFC 2046 §5.1.1: the body ends with the close delimiter
                decoder.destroy();
                throw new Failure(400, "malformed multipart body: no closing boundary");
            }
        } catch (HttpPostRequestDecoder.TooManyFormFieldsException e) {
            decoder.destroy();
            throw new Failure(413, "more than " + limits.maxParts() + " parts");
        } catch (HttpPostRequestDecoder.ErrorDataDecoderException e) {
            decoder.destroy();
            boolean tooBig = e.getCause() instanceof IOException io && String.valueOf(io.getMessage()).contains("exceed");
            throw new Failure(tooBig ? 413 : 400, tooBig ? "a part is larger than " + limits.maxPartSize() + " bytes"
                    : "malformed multipart body: " + e.getMessage());
        } catch (UncheckedIOException e) { // the body's own file: the server's trouble, not the client's
            decoder.destroy();
            throw e;
        } catch (RuntimeException e) { // the decoder's other complaints about the body
            decoder.destroy();
            throw new Failure(400, "malformed multipart body: " + e);
        }
        InterfaceHttpData partial = decoder.currentPartialHttpData();
        if (partial != null) { // the body ended inside a part (its closing boundary missing)
            String name = partial.getName();
            decoder.destroy(); // the factory holds the partial part too, and lets go of it
            throw new Failure(400, "malformed multipart body: it ends inside the part \"" + name + "\"");
        }
        List<Part> parts = new ArrayList<>();
        long total = 0;
        for (InterfaceHttpData data : decoder.getBodyHttpDatas()) {
            if (data instanceof Attribute || data instanceof FileUpload) {
                HttpData d = (HttpData) data;
                parts.add(new Part(d));
                total += d.length();
            }
        }
        Multipart form = new Multipart(decoder, List.copyOf(parts));
        if (parts.size() > limits.maxParts() || total > limits.maxTotalSize()) {
            form.close();
            throw new Failure(413, parts.size() > limits.maxParts() ? "more than " + limits.maxParts() + " parts"
                    : "the parts hold more than " + limits.maxTotalSize() + " bytes");
        }
        return form;
    }

    /** The body, from memory or its file, in 64 KiB pieces; whether {@code closing} was in it. */
    private static boolean feed(HttpPostMultipartRequestDecoder decoder, Request request, byte[] closing) {
        Path file = request.bodyFile();
        ByteBuf needle = Unpooled.wrappedBuffer(closing);
        boolean seen;
        if (file == null) {
            ByteBuf body = request.body();
            seen = ByteBufUtil.indexOf(needle, body) >= 0;
            offer(decoder, body.retainedDuplicate());
        } else {
            seen = false;
            int keep = closing.length - 1; // what of a piece's end a delimiter across the seam may need
            byte[] tail = new byte[0];
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer piece = ByteBuffer.allocate(64 * 1024);
                while (in.read(piece.clear()) > 0) {
                    ByteBuf bytes = Unpooled.copiedBuffer(piece.flip());
                    if (!seen) { // in this piece, or across the seam with the last one
                        byte[] seam = new byte[tail.length + Math.min(keep, bytes.readableBytes())];
                        System.arraycopy(tail, 0, seam, 0, tail.length);
                        bytes.getBytes(bytes.readerIndex(), seam, tail.length, seam.length - tail.length);
                        seen = ByteBufUtil.indexOf(needle, bytes) >= 0
                                || ByteBufUtil.indexOf(needle, Unpooled.wrappedBuffer(seam)) >= 0;
                        tail = bytes.readableBytes() >= keep ? ByteBufUtil.getBytes(bytes, bytes.writerIndex() - keep, keep)
                                : Arrays.copyOfRange(seam, Math.max(0, seam.length - keep), seam.length);
                    }
                    offer(decoder, bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        decoder.offer(LastHttpContent.EMPTY_LAST_CONTENT);
        return seen;
    }

    /** The boundary parameter of a Content-Type, unquoted, or null. */
    static String boundary(String contentType) {
        for (String parameter : contentType.split(";")) {
            String[] nameValue = parameter.trim().split("=", 2);
            if (nameValue.length == 2 && nameValue[0].trim().equalsIgnoreCase("boundary")) {
                String value = nameValue[1].trim();
                value = value.length() > 1 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1) : value;
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /** The decoder copies what it is offered: the piece is released after. */
    private static void offer(HttpPostMultipartRequestDecoder decoder, ByteBuf piece) {
        try {
            decoder.offer(new DefaultHttpContent(piece));
        } finally {
            piece.release();
        }
    }

    /** Every part, in the body's order. */
    public List<Part> parts() {
        return parts;
    }

    /** The first part named {@code name}, or null. */
    public Part part(String name) {
        return parts.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    /** Deletes the parts' files and lets go of their memory. */
    @Override
    public void close() {
        decoder.destroy();
    }
}
