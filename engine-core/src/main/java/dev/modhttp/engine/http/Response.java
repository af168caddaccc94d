package dev.modhttp.engine.http;

import dev.modhttp.engine.internal.HttpAccess;
import dev.modhttp.engine.internal.StatusText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The response a request builds up before the engine sends it through the header and body
 * filters. A body is bytes, a region of a file (sent zero-copy where the connection allows),
 * {@linkplain #pieces(List) pieces} of both sent in order, or a {@linkplain #stream body
 * produced over time}.
 *
 * <pre>{@code
 * exchange.response().status(200).contentType("text/plain").body("hello");
 * return Result.OK;
 * }</pre>
 */
public final class Response {

    private int status = 200;
    /** The status line's reason phrase when not the engine's own: a proxied backend's (null otherwise). */
    private String reason;
    /** Validated, so that no handler can split a response. */
    private final HeaderFields headers = new HeaderFields(true);
    private ByteBuf body;
    private FileBody file;
    private List<Piece> pieces;
    private StreamedBody stream;
    private Tunnel tunnel;
    private long contentLength = -1;

    /** One piece of a body made of several: bytes or a region of a file. */
    public sealed interface Piece permits Bytes, FileBody {
        long length();

        /** Lets go of what the piece holds (its buffer, its open file) when it will not be sent. */
        void discard();
    }

    /** Bytes of a body made of pieces; the response owns the buffer. */
    public record Bytes(ByteBuf buf) implements Piece {
        @Override
        public long length() {
            return buf.readableBytes();
        }

        @Override
        public void discard() {
            ReferenceCountUtil.release(buf);
        }
    }

    /**
     * A region of a file to send as the body, or as one piece of it. {@code channel}, when not
     * null, is the file already opened by the handler (so that a file gone missing is found
     * before the status line goes out); the engine closes it.
     */
    public record FileBody(Path path, long position, long length, FileChannel channel) implements Piece {
        public FileBody(Path path, long position, long length) {
            this(path, position, length, null);
        }

        @Override
        public void discard() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing a file opened for reading: nothing to lose
                }
            }
        }
    }

    public int status() {
        return status;
    }

    public Response status(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        this.status = status;
        this.reason = null;
        return this;
    }

    /**
     * The reason phrase of the HTTP/1.1 status line; null, the default, for the engine's own
     * (nginx's phrases). The proxy sets the backend's, which nginx passes on with its status
     * line. Cleared by {@link #status(int)}; HTTP/2 has none.
     *
     * @throws IllegalArgumentException for a phrase that is empty or not RFC 9112's reason-phrase
     *     (HTAB, SP, visible ASCII and bytes 0x80-0xFF only)
     */
    public Response reason(String reason) {
        if (reason != null && !StatusText.isReasonPhrase(reason)) {
            throw new IllegalArgumentException("not a reason phrase: " + reason);
        }
        this.reason = reason;
        return this;
    }

    /** The reason phrase set with {@link #reason(String)}, or null for the engine's own. */
    public String reason() {
        return reason;
    }

    /**
     * The response's header fields, validated as they are set: a name must be an RFC 9110 token,
     * a value free of control characters ({@link IllegalArgumentException} otherwise).
     */
    public HeaderFields headers() {
        return headers;
    }

    public Response header(CharSequence name, Object value) {
        headers.set(name, value);
        return this;
    }

    public Response contentType(String type) {
        headers.set(HttpHeaderNames.CONTENT_TYPE, type);
        return this;
    }

    public Response body(String text) {
        return body(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    public Response body(byte[] bytes) {
        return body(Unpooled.wrappedBuffer(bytes));
    }

    /** Sets the body; the response takes ownership of the buffer. */
    public Response body(ByteBuf buf) {
        clearBody();
        this.body = buf;
        this.contentLength = buf.readableBytes();
        return this;
    }

    public Response file(Path path, long position, long length) {
        return file(new FileBody(path, position, length));
    }

    /** Sets a file body; an open channel in it is the response's to close. */
    public Response file(FileBody file) {
        clearBody();
        this.file = file;
        long length = file.length();
        this.contentLength = length;
        return this;
    }

    /**
     * A body of several pieces sent in order, as a multipart/byteranges response is: file
     * regions stay zero-copy where the connection allows. The response takes ownership of the
     * buffers; the content length is the pieces' sum.
     */
    public Response pieces(List<Piece> pieces) {
        clearBody();
        this.pieces = List.copyOf(pieces);
        long length = 0;
        for (Piece p : this.pieces) {
            length += p.length();
        }
        this.contentLength = length;
        return this;
    }

    /**
     * A body produced over time and written piece by piece after the head (see
     * {@link StreamedBody}); {@code length} is its length in bytes when known, else -1 (then
     * HTTP/1.1 sends it chunked). The response takes the body: it is discarded when the
     * response's body is replaced or cleared.
     */
    public Response stream(StreamedBody body, long length) {
        clearBody();
        this.stream = body;
        this.contentLength = length;
        return this;
    }

    /**
     * Makes this 101 response switch the connection to {@code tunnel} once its head is out (see
     * {@link Tunnel}); the response takes the tunnel and discards it when cleared.
     */
    public Response tunnel(Tunnel tunnel) {
        clearBody();
        this.tunnel = tunnel;
        return this;
    }

    /** The tunnel set by {@link #tunnel(Tunnel)}, or null. */
    public Tunnel tunnel() {
        return tunnel;
    }

    /** The streamed body set by {@link #stream}, or null. */
    public StreamedBody stream() {
        return stream;
    }

    /** The pieces of a body set by {@link #pieces(List)}, or null. */
    public List<Piece> pieces() {
        return pieces;
    }

    /** The bytes body, or null. */
    public ByteBuf body() {
        return body;
    }

    /** The file body, or null. */
    public FileBody file() {
        return file;
    }

    /** The body length when known, else -1. */
    public long contentLength() {
        return contentLength;
    }

    public Response contentLength(long length) {
        this.contentLength = length;
        return this;
    }

    public boolean hasBody() {
        return body != null || file != null || pieces != null || stream != null;
    }

    /** Drops the body (releasing its buffer) and any framing headers, keeping status and other headers. */
    public void clearBody() {
        if (body != null) {
            ReferenceCountUtil.release(body);
            body = null;
        }
        if (file != null) {
            file.discard();
            file = null;
        }
        if (pieces != null) {
            pieces.forEach(Piece::discard);
            pieces = null;
        }
        if (stream != null) {
            StreamedBody s = stream;
            stream = null;
            s.discard();
        }
        if (tunnel != null) {
            Tunnel t = tunnel;
            tunnel = null;
            t.discard();
        }
        contentLength = -1;
    }

    /** Resets to an empty 200, as before the request was handled. */
    public void reset() {
        clearBody();
        headers.clear();
        status = 200;
        reason = null;
    }

    static {
        HttpAccess.register(new HttpAccess.Bridge() {
            @Override
            public List<Piece> takePieces(Response response) {
                return response.takePieces();
            }

            @Override
            public ByteBuf takeBody(Response response) {
                return response.takeBody();
            }

            @Override
            public StreamedBody takeStream(Response response) {
                StreamedBody s = response.stream;
                response.stream = null;
                return s;
            }

            @Override
            public Tunnel takeTunnel(Response response) {
                Tunnel t = response.tunnel;
                response.tunnel = null;
                return t;
            }

            @Override
            public void body(Request request, ByteBuf body, Path file) {
                request.body(body, file);
            }
        });
    }

    private List<Piece> takePieces() {
        List<Piece> p = pieces != null ? pieces : file != null ? List.of(file) : null;
        pieces = null;
        file = null;
        return p;
    }

    private ByteBuf takeBody() {
        ByteBuf b = body;
        body = null;
        return b;
    }
}
