package dev.modhttp.engine.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw HTTP/2 client for tests: frames written byte by byte as RFC 9113 §4.1 lays them out,
 * header blocks by Netty's HPACK encoder, so that a test can send what no well-behaved client
 * sends. Reading returns each frame the server sent, header blocks decoded.
 */
final class H2Client implements AutoCloseable {

    static final int DATA = 0;
    static final int HEADERS = 1;
    static final int PRIORITY = 2;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int PUSH_PROMISE = 5;
    static final int PING = 6;
    static final int GOAWAY = 7;
    static final int WINDOW_UPDATE = 8;
    static final int CONTINUATION = 9;

    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;
    static final int PADDED = 0x8;
    static final int PRIORITY_FLAG = 0x20;

    static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    static final int SETTINGS_ENABLE_PUSH = 0x2;
    static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
    static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One frame as received; {@code headers} is set for a complete HEADERS block. */
    record Frame(int type, int flags, int stream, byte[] payload, Http2Headers headers) {
        boolean endStream() {
            return (flags & END_STREAM) != 0 && (type == DATA || type == HEADERS);
        }

        /** GOAWAY's or RST_STREAM's error code. */
        long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        @Override
        public String toString() {
            return "Frame[type=" + type + ", flags=" + flags + ", stream=" + stream + ", length=" + payload.length
                    + (headers != null ? ", headers=" + headers : "") + "]";
        }
    }

    final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1 << 20);
    private Frame serverSettings;

    H2Client(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
        socket.setSoTimeout(10_000);
    }

    static H2Client connect(int port) throws IOException {
        return new H2Client(new Socket("127.0.0.1", port));
    }

    /** The preface and an empty SETTINGS frame. */
    H2Client handshake() throws IOException {
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
        return this;
    }

    /**
     * The preface and a SETTINGS frame with {@code idValue}, then frames until the server's SETTINGS
     * (acknowledged) and the acknowledgement of ours: the connection is settled, as h2spec starts a test.
     */
    H2Client open(int... idValue) throws IOException {
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, settings(idValue));
        boolean acked = false;
        while (serverSettings == null || !acked) {
            Frame f = read();
            if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
                serverSettings = f;
                frame(SETTINGS, ACK, 0, new byte[0]);
            } else if (f.type() == SETTINGS) {
                acked = true;
            }
        }
        return this;
    }

    /** The server's SETTINGS frame as {@link #open} received it. */
    Frame serverSettings() {
        return serverSettings;
    }

    /** The dynamic table size this client's HPACK decoder allows, as a SETTINGS_HEADER_TABLE_SIZE it sent announces. */
    void maxHeaderTableSize(long size) throws Http2Exception {
        decoder.maxHeaderTableSize(size);
    }

    void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(frameBytes(type, flags, stream, payload));
        out.flush();
    }

    static byte[] frameBytes(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24 & 0x7f);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** An HPACK header block for a request: the pseudo-headers, then {@code fields} as name, value pairs. */
    byte[] block(String method, String path, String authority, String... fields) {
        Http2Headers h = new DefaultHttp2Headers(false);
        if (method != null) {
            h.method(method);
        }
        h.scheme("http");
        if (path != null) {
            h.path(path);
        }
        if (authority != null) {
            h.authority(authority);
        }
        for (int i = 0; i < fields.length; i += 2) {
            h.add(fields[i], fields[i + 1]);
        }
        return encode(h);
    }

    byte[] encode(Http2Headers h) {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(0, h, buf);
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        }
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        return b;
    }

    /** A header block as HEADERS and, past 16384 bytes (the default SETTINGS_MAX_FRAME_SIZE), CONTINUATION frames. */
    void headers(int stream, boolean endStream, byte[] block) throws IOException {
        int max = 16384;
        int n = Math.min(max, block.length);
        int flags = (endStream ? END_STREAM : 0) | (n == block.length ? END_HEADERS : 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frameBytes(HEADERS, flags, stream, java.util.Arrays.copyOfRange(block, 0, n)));
        for (int at = n; at < block.length; at += max) {
            int end = Math.min(block.length, at + max);
            out.writeBytes(frameBytes(CONTINUATION, end == block.length ? END_HEADERS : 0, stream,
                    java.util.Arrays.copyOfRange(block, at, end)));
        }
        raw(out.toByteArray());
    }

    /** A GET on {@code stream} with END_STREAM. */
    void get(int stream, String path) throws IOException {
        headers(stream, true, block("GET", path, "localhost"));
    }

    /** The next frame; a HEADERS frame's block (with its CONTINUATIONs) decoded. */
    Frame read() throws IOException {
        Frame f = readRaw();
        if (f.type() == HEADERS || f.type() == PUSH_PROMISE) {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            block.write(f.payload());
            int flags = f.flags();
            while ((flags & END_HEADERS) == 0) {
                Frame c = readRaw();
                block.write(c.payload());
                flags |= c.flags() & END_HEADERS;
            }
            try {
                Http2Headers h = decoder.decodeHeaders(f.stream(), Unpooled.wrappedBuffer(block.toByteArray()));
                return new Frame(f.type(), f.flags(), f.stream(), block.toByteArray(), h);
            } catch (Http2Exception e) {
                throw new IOException(e);
            }
        }
        return f;
    }

    private Frame readRaw() throws IOException {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, flags, stream, payload, null);
    }

    /** Frames until one matches, answering nothing; fails at the end of the connection. */
    Frame until(java.util.function.Predicate<Frame> want) throws IOException {
        while (true) {
            Frame f = read();
            if (want.test(f)) {
                return f;
            }
        }
    }

    /** The response on {@code stream}: its head, then its body up to END_STREAM (other frames skipped). */
    Response response(int stream) throws IOException {
        Http2Headers head = null;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            Frame f = read();
            if (f.stream() != stream) {
                continue;
            }
            if (f.type() == HEADERS) {
                if (head == null || head.status().toString().startsWith("1")) {
                    head = f.headers();
                }
            } else if (f.type() == DATA) {
                body.write(f.payload());
            } else if (f.type() == RST_STREAM) {
                return new Response(head, body.toByteArray(), f.errorCode());
            }
            if (f.endStream()) {
                return new Response(head, body.toByteArray(), -1);
            }
        }
    }

    /** A response: its head, its body, and the RST_STREAM code that ended it (-1 when END_STREAM did). */
    record Response(Http2Headers head, byte[] body, long reset) {
        int status() {
            return Integer.parseInt(head.status().toString());
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Every frame until the server closes or stays silent for {@code quietMillis}. */
    List<Frame> drain(int quietMillis) throws IOException {
        List<Frame> frames = new ArrayList<>();
        socket.setSoTimeout(quietMillis);
        try {
            while (true) {
                frames.add(read());
            }
        } catch (EOFException | SocketTimeoutException e) {
            return frames;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return frames;
            }
            throw e;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    /** Whether the server closed the connection (reads end) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            InputStream s = socket.getInputStream();
            byte[] b = new byte[8192];
            while (s.read(b) >= 0) {
                // skip what is still in flight
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    static byte[] settings(int... idValue) {
        byte[] p = new byte[idValue.length / 2 * 6];
        for (int i = 0, at = 0; i < idValue.length; i += 2, at += 6) {
            p[at] = (byte) (idValue[i] >>> 8);
            p[at + 1] = (byte) idValue[i];
            p[at + 2] = (byte) (idValue[i + 1] >>> 24);
            p[at + 3] = (byte) (idValue[i + 1] >>> 16);
            p[at + 4] = (byte) (idValue[i + 1] >>> 8);
            p[at + 5] = (byte) idValue[i + 1];
        }
        return p;
    }

    /**
     * HPACK literal field lines without indexing and with new names (RFC 7541 §6.2.2), no Huffman
     * coding, in the order given: what an encoder would reorder or refuse goes out as written.
     * Characters are taken as ISO-8859-1 so that any octet can be sent.
     */
    static byte[] literals(String... nameValue) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < nameValue.length; i += 2) {
            b.write(0x00);
            b.writeBytes(string(nameValue[i]));
            b.writeBytes(string(nameValue[i + 1]));
        }
        return b.toByteArray();
    }

    /** An HPACK string literal without Huffman coding (RFC 7541 §5.2). */
    static byte[] string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        return concat(hpackInt(0x00, 7, bytes.length), bytes);
    }

    /** An HPACK integer (RFC 7541 §5.1) in a first octet that starts with {@code flags} and keeps {@code prefixBits} bits. */
    static byte[] hpackInt(int flags, int prefixBits, long value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            return new byte[] {(byte) (flags | value)};
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(flags | max);
        long rest = value - max;
        while (rest >= 0x80) {
            b.write((int) (rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        b.write((int) rest);
        return b.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] int32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
