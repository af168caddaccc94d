package dev.modhttp.engine.http1;

import dev.modhttp.engine.exchange.UriNormalizer;
import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.http.HeaderFields;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A strict HTTP/1.1 request parser (RFC 9112). Emits a {@link RequestHead}, then the body as
 * {@link ByteBuf} slices and {@link BodyEnd}, or a {@link DecodeError} after which it
 * discards all input. After each complete request it pauses until {@link #resume} so that
 * pipelined requests are handled one at a time, in order.
 *
 * <table>
 *   <caption>Rejections</caption>
 *   <tr><td>request line longer than the buffer size</td><td>414</td></tr>
 *   <tr><td>a header line longer than the buffer size, or the head over number x size</td><td>431</td></tr>
 *   <tr><td>HTTP/2.0 or later</td><td>505</td></tr>
 *   <tr><td>anything malformed: bad method or target, no version (HTTP/0.9), bare CR, control
 *       characters, whitespace in or before a header name, obs-fold, bad or conflicting
 *       Content-Length, Transfer-Encoding other than a final chunked, Content-Length with
 *       Transfer-Encoding, a missing, duplicated or malformed Host on HTTP/1.1, bad chunk framing</td><td>400</td></tr>
 * </table>
 */
final class RequestDecoder extends ByteToMessageDecoder {

    private enum State { START, HEADERS, BODY_FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILERS, PAUSED, BAD }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int MAX_CHUNK_SIZE_LINE = 1024;

    /** Room for the fields of a common request head (a browser sends about ten) before the array grows. */
    private static final int FIELDS = 12;

    /** RFC 9113 §3.4: what a client speaking HTTP/2 with prior knowledge sends first. */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Emitted when the connection starts with the HTTP/2 preface: every byte received so far, preface included. */
    record Http2Preface(ByteBuf bytes) {
    }

    private byte[] lineBuffer = new byte[256];
    private final int lineLimit;
    private final int headLimit;
    /** Looks for the HTTP/2 preface before the first request (h2c with prior knowledge). */
    private boolean detectPreface;

    private State state = State.START;
    private int headBytes;
    private String method;
    private String target;
    private HttpVersion version;
    private boolean headersEnded;
    /** The validated host of an absolute-form target, read with the request line; null otherwise. */
    private String targetHost;
    /** The fields of the head being read, in {@link #fieldScratch}; null outside a head. */
    private HeaderFields headers;
    /**
     * Reused for every head of the connection: a request gets a copy of exactly its fields' size,
     * where a section grown while reading would carry room for a dozen.
     */
    private HeaderFields fieldScratch;
    /** The Host fields of the request head being read: how many, and the first one's value. */
    private int hostCount;
    private AsciiString hostValue;
    private long remaining;
    private ChannelHandlerContext context;
    private boolean decoding;
    private boolean deferredShutdown;

    RequestDecoder(int lineLimit, int headLimit, boolean detectPreface) {
        this.lineLimit = lineLimit;
        this.headLimit = headLimit;
        this.detectPreface = detectPreface;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        this.context = ctx;
    }

    /**
     * Lets the next pipelined request through. Called while this decoder is delivering a
     * request, its decode loop simply goes on; called later, bytes already received are
     * decoded in a task of their own, never re-entrantly.
     */
    void resume() {
        if (state != State.PAUSED) {
            return;
        }
        state = State.START;
        if (!decoding && context != null) {
            context.executor().execute(this::decodeBuffered);
        }
    }

    private void decodeBuffered() {
        if (context.isRemoved()) {
            return;
        }
        if (state == State.START && hasBufferedBytes()) {
            try {
                channelRead(context, Unpooled.EMPTY_BUFFER);
                channelReadComplete(context);
            } catch (Exception e) {
                context.fireExceptionCaught(e);
            }
        }
        if (deferredShutdown && !hasBufferedBytes()) {
            deferredShutdown = false;
            try {
                super.userEventTriggered(context, ChannelInputShutdownEvent.INSTANCE);
            } catch (Exception e) {
                context.fireExceptionCaught(e);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        decoding = true;
        try {
            super.channelRead(ctx, msg);
        } finally {
            decoding = false;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && state == State.PAUSED && hasBufferedBytes()) {
            // the client half-closed after pipelining: its requests still queued here are
            // served first (the base class would drop them on input shutdown)
            deferredShutdown = true;
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /** Whether a partial request is buffered (the client has started the next request). */
    boolean hasBufferedBytes() {
        ByteBuf c = internalBuffer();
        return c != null && c.isReadable();
    }

    /** Whether a request head has been started but not completed. */
    boolean inHead() {
        return state == State.HEADERS || state == State.START && hasBufferedBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            decodeAvailable(in, out);
        } finally {
            if (state == State.BAD) {
                in.skipBytes(in.readableBytes()); // nothing after an error is parsed
            }
        }
    }

    private void decodeAvailable(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case START -> {
                    if (detectPreface && !checkPreface(in, out)) {
                        return;
                    }
                    if (!readRequestLine(in, out)) {
                        return;
                    }
                }
                case HEADERS -> {
                    if (!readHeaders(in, out)) {
                        return;
                    }
                }
                case BODY_FIXED -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    out.add(in.readRetainedSlice(n));
                    remaining -= n;
                    if (remaining == 0) {
                        endRequest(out);
                    }
                }
                case CHUNK_SIZE -> {
                    if (!readChunkSize(in, out)) {
                        return;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    out.add(in.readRetainedSlice(n));
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_CRLF;
                    }
                }
                case CHUNK_CRLF -> {
                    if (in.readableBytes() < 2) {
                        return;
                    }
                    if (in.readByte() != CR || in.readByte() != LF) {
                        fail(out, 400, "bad chunk terminator");
                        return;
                    }
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    if (!readTrailers(in, out)) {
                        return;
                    }
                }
                case PAUSED -> {
                    return;
                }
                case BAD -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /**
     * Before the first request: false while the bytes so far are a prefix of the HTTP/2 preface
     * (more are awaited) or once all of it arrived (the bytes go out as an {@link Http2Preface}
     * and decoding pauses); true for an HTTP/1 request.
     */
    private boolean checkPreface(ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                detectPreface = false;
                return true;
            }
        }
        if (n == PREFACE.length) {
            detectPreface = false;
            state = State.PAUSED;
            out.add(new Http2Preface(in.readRetainedSlice(in.readableBytes())));
        }
        return false;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        // an incomplete request at end of input is simply dropped with the connection
    }

    /** Index of the LF ending the line that starts at readerIndex, or -1. */
    private static int findLf(ByteBuf in, int max) {
        int from = in.readerIndex();
        int to = from + Math.min(in.readableBytes(), max);
        return in.indexOf(from, to, LF);
    }

    private boolean readRequestLine(ByteBuf in, List<Object> out) {
        // RFC 9112 2.2: ignore empty lines before the request line
        while (in.isReadable()) {
            byte b = in.getByte(in.readerIndex());
            if (b == LF) {
                in.skipBytes(1);
            } else if (b == CR) {
                if (in.readableBytes() < 2) {
                    return false;
                }
                if (in.getByte(in.readerIndex() + 1) != LF) {
                    fail(out, 400, "bare CR");
                    return false;
                }
                in.skipBytes(2);
            } else {
                break;
            }
        }
        if (!in.isReadable()) {
            return false;
        }
        int lf = findLf(in, lineLimit + 2);
        if (lf < 0) {
            if (in.readableBytes() > lineLimit + 1) {
                fail(out, 414, "request line too long");
            }
            return false;
        }
        int start = in.readerIndex();
        int end = lf;
        if (end > start && in.getByte(end - 1) == CR) {
            end--;
        }
        if (end - start > lineLimit) {
            fail(out, 414, "request line too long");
            return false;
        }
        headBytes = lf + 1 - start;
        byte[] line = copyLine(in, start, end);
        String error = parseRequestLine(line, end - start);
        in.readerIndex(lf + 1);
        if (error != null) {
            fail(out, version != null && version.majorVersion() >= 2 ? 505 : 400, error);
            return false;
        }
        if (fieldScratch == null) {
            fieldScratch = HeaderFields.trusted(FIELDS); // validated by this parser, not again by the map
        }
        headers = fieldScratch;
        hostCount = 0;
        hostValue = null;
        state = State.HEADERS;
        return true;
    }

    /** Copies a line into the reused line buffer: parsing from an array avoids a bounds check per byte. */
    private byte[] copyLine(ByteBuf in, int start, int end) {
        int n = end - start;
        if (lineBuffer.length < n) {
            lineBuffer = new byte[Math.max(n, lineBuffer.length * 2)];
        }
        in.getBytes(start, lineBuffer, 0, n);
        return lineBuffer;
    }

    private String parseRequestLine(byte[] in, int end) {
        int start = 0;
        int i = start;
        while (i < end) {
            byte b = in[i];
            if (b >= 'A' && b <= 'Z' || b == '_' || b == '-') {
                i++;
            } else {
                break;
            }
        }
        if (i == start || i >= end || in[i] != ' ') {
            return "bad method";
        }
        method = method(in, i);
        int targetStart = ++i;
        while (i < end) {
            byte b = in[i];
            if (b == ' ') {
                break;
            }
            if (b >= 0 && b < 0x21 || b == 0x7f) {
                return b == CR ? "bare CR" : "control character in request target";
            }
            i++;
        }
        if (i == targetStart) {
            return "empty request target";
        }
        target = new String(in, targetStart, i - targetStart, StandardCharsets.ISO_8859_1);
        if (i >= end) {
            return "no HTTP version (HTTP/0.9 request)";
        }
        i++;
        int vlen = end - i;
        if (vlen < 8 || !new String(in, i, 5, StandardCharsets.US_ASCII).equals("HTTP/")) {
            return "bad HTTP version";
        }
        // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT
        int j = i + 5;
        if (vlen != 8 || !isDigit(in[j]) || in[j + 1] != '.' || !isDigit(in[j + 2])) {
            return "bad HTTP version";
        }
        int major = in[j] - '0';
        int minor = in[j + 2] - '0';
        if (major == 0) {
            return "bad HTTP version";
        }
        targetHost = target.charAt(0) == '/' || !isAbsoluteForm(target) ? null : absoluteFormHost();
        if (target.charAt(0) != '/' && targetHost == null) {
            return "bad request target"; // before the version, as nginx's parser reads the line
        }
        if (major >= 2) {
            version = HttpVersion.valueOf("HTTP/2.0");
            return "HTTP version not supported";
        }
        version = minor == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        return null;
    }

    private static final String[] COMMON_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};

    /** The method of {@code in[0..len)}, without allocating for the common ones. */
    private static String method(byte[] in, int len) {
        for (String m : COMMON_METHODS) {
            if (m.length() == len && AsciiString.contentEquals(m, new AsciiString(in, 0, len, false))) {
                return m;
            }
        }
        return new String(in, 0, len, StandardCharsets.US_ASCII);
    }

    /** The validated host of an absolute-form target, or null. */
    private String absoluteFormHost() {
        int hostStart = target.indexOf("//") + 2;
        int slash = target.indexOf('/', hostStart);
        int q = target.indexOf('?', hostStart);
        int hostEnd = slash < 0 ? q < 0 ? target.length() : q : q < 0 ? slash : Math.min(slash, q);
        return Addresses.absoluteFormHost(target.substring(hostStart, hostEnd));
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isAbsoluteForm(String t) {
        return t.regionMatches(true, 0, "http://", 0, 7) && t.length() > 7
                || t.regionMatches(true, 0, "https://", 0, 8) && t.length() > 8;
    }

    private boolean readHeaders(ByteBuf in, List<Object> out) {
        while (true) {
            int lf = findLf(in, lineLimit + 2);
            if (lf < 0) {
                // a line still arriving fails only once it is too long; whether it also makes the
                // section too large is known when it ends, so that how the bytes came (one read or
                // several) never changes the answer; waiting holds at most one line more
                if (in.readableBytes() > lineLimit + 1) {
                    fail(out, 431, "header line too long");
                }
                return false;
            }
            int start = in.readerIndex();
            int end = lf;
            if (end > start && in.getByte(end - 1) == CR) {
                end--;
            }
            if (end - start > lineLimit) {
                fail(out, 431, "header line too long");
                return false;
            }
            headBytes += lf + 1 - start;
            if (headBytes > headLimit) {
                fail(out, 431, "request header section too large");
                return false;
            }
            if (end == start) {
                in.readerIndex(lf + 1);
                return headComplete(out);
            }
            String error = parseHeaderLine(copyLine(in, start, end), end - start, headers);
            in.readerIndex(lf + 1);
            if (error != null) {
                fail(out, 400, error);
                return false;
            }
        }
    }

    /**
     * Parses {@code name: value} into {@code into}; returns an error text or null. Counts the
     * request's Host fields and keeps the first one's value.
     */
    private String parseHeaderLine(byte[] in, int end, HttpHeaders into) {
        byte first = in[0];
        if (first == ' ' || first == '\t') {
            return "obs-fold (folded header line)";
        }
        int i = 0;
        while (i < end) {
            byte b = in[i];
            if (b == ':') {
                break;
            }
            if (!isTchar(b)) {
                return b == CR ? "bare CR" : "invalid character in header name";
            }
            i++;
        }
        if (i == 0 || i == end) {
            return "malformed header line";
        }
        AsciiString name = KnownFieldNames.find(in, i);
        if (name == null) {
            name = new AsciiString(in, 0, i, true);
        }
        int v = i + 1;
        while (v < end && (in[v] == ' ' || in[v] == '\t')) {
            v++;
        }
        int ve = end;
        while (ve > v && (in[ve - 1] == ' ' || in[ve - 1] == '\t')) {
            ve--;
        }
        for (int k = v; k < ve; k++) {
            byte b = in[k];
            if (b >= 0 && b < 0x20 && b != '\t' || b == 0x7f) {
                return b == CR ? "bare CR" : "control character in header value";
            }
        }
        AsciiString value = new AsciiString(in, v, ve - v, true);
        into.add(name, value);
        if (into == headers && name.length() == 4 && name.contentEqualsIgnoreCase(HttpHeaderNames.HOST) && hostCount++ == 0) {
            hostValue = value;
        }
        return null;
    }

    private static boolean isTchar(byte b) {
        if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9') {
            return true;
        }
        return switch (b) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }

    private boolean headComplete(List<Object> out) {
        headersEnded = true;
        boolean http11 = version == HttpVersion.HTTP_1_1;
        // Host
        String host = null;
        if (hostCount > 1) {
            return fail(out, 400, "duplicate Host header");
        }
        if (hostCount == 1) {
            host = Addresses.host(hostValue.toString());
            if (host == null) {
                return fail(out, 400, "invalid Host header");
            }
        } else if (http11) {
            return fail(out, 400, "missing Host header");
        }
        if (target.charAt(0) != '/') {
            // absolute form: the host in the request target wins over the Host header
            host = targetHost; // validated with the request line
        }
        // Content-Length / Transfer-Encoding
        long contentLength = -1;
        List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH); // none: an empty list, no iterator
        for (int i = 0; i < lengths.size(); i++) {
            String cl = lengths.get(i);
            for (String part : cl.split(",", -1)) {
                long n = parseContentLength(part.trim());
                if (n < 0) {
                    return fail(out, 400, "invalid Content-Length");
                }
                if (contentLength >= 0 && n != contentLength) {
                    return fail(out, 400, "conflicting Content-Length values");
                }
                contentLength = n;
            }
        }
        boolean chunked = false;
        List<String> te = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty()) {
            if (contentLength >= 0) {
                return fail(out, 400, "both Content-Length and Transfer-Encoding");
            }
            if (!http11) {
                return fail(out, 400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            String codings = String.join(",", te);
            String[] parts = codings.split(",", -1);
            String last = parts[parts.length - 1].trim();
            if (!last.equalsIgnoreCase("chunked")) {
                return fail(out, 400, "Transfer-Encoding does not end with chunked");
            }
            if (parts.length > 1) {
                return fail(out, 501, "unsupported Transfer-Encoding");
            }
            chunked = true;
        }
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        boolean keepAlive = http11 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
        boolean expectContinue = false;
        String expect = headers.get(HttpHeaderNames.EXPECT);
        if (expect != null && http11) {
            if (!expect.equalsIgnoreCase("100-continue")) {
                return fail(out, 417, "unsupported expectation");
            }
            expectContinue = true;
        }
        out.add(new RequestHead(method, target, version, headers.copy(), contentLength, chunked, host,
                expectContinue, keepAlive, headBytes));
        headers.clear();
        headers = null;
        hostValue = null;
        if (chunked) {
            state = State.CHUNK_SIZE;
        } else if (contentLength > 0) {
            remaining = contentLength;
            state = State.BODY_FIXED;
        } else {
            endRequest(out);
        }
        return true;
    }

    static boolean hasToken(String header, String token) {
        if (header == null) {
            return false;
        }
        for (String t : header.split(",")) {
            if (t.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** Parses a Content-Length value: ASCII digits only, no sign, no overflow; -1 if invalid. */
    static long parseContentLength(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private boolean readChunkSize(ByteBuf in, List<Object> out) {
        int lf = findLf(in, MAX_CHUNK_SIZE_LINE);
        if (lf < 0) {
            if (in.readableBytes() >= MAX_CHUNK_SIZE_LINE) {
                fail(out, 400, "chunk size line too long");
            }
            return false;
        }
        int start = in.readerIndex();
        if (lf == start || in.getByte(lf - 1) != CR) {
            fail(out, 400, "bad chunk size line ending");
            return false;
        }
        int end = lf - 1;
        long size = 0;
        int i = start;
        while (i < end) {
            int d = Character.digit(in.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (size > (Long.MAX_VALUE >> 4)) {
                fail(out, 400, "chunk size overflow");
                return false;
            }
            size = size << 4 | d;
            i++;
        }
        if (i == start) {
            fail(out, 400, "bad chunk size");
            return false;
        }
        // chunk extensions: ;name[=value], with optional whitespace before ';'
        while (i < end && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
            i++;
        }
        if (i < end) {
            if (in.getByte(i) != ';') {
                fail(out, 400, "bad chunk size");
                return false;
            }
            for (int k = i; k < end; k++) {
                byte b = in.getByte(k);
                if (b >= 0 && b < 0x20 && b != '\t' || b == 0x7f) {
                    fail(out, 400, "control character in chunk extension");
                    return false;
                }
            }
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
            headBytes = 0;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    private boolean readTrailers(ByteBuf in, List<Object> out) {
        while (true) {
            int lf = findLf(in, lineLimit + 2);
            if (lf < 0) {
                if (in.readableBytes() > lineLimit + 1) {
                    fail(out, 431, "trailer line too long");
                }
                return false;
            }
            int start = in.readerIndex();
            headBytes += lf + 1 - start;
            if (headBytes > headLimit) {
                fail(out, 431, "trailer section too large");
                return false;
            }
            if (lf == start || in.getByte(lf - 1) != CR) {
                fail(out, 400, "bad line ending in trailers");
                return false;
            }
            int end = lf - 1;
            if (end == start) {
                in.readerIndex(lf + 1);
                endRequest(out);
                return true;
            }
            String error = parseHeaderLine(copyLine(in, start, end), end - start, new HeaderFields(false));
            in.readerIndex(lf + 1);
            if (error != null) {
                fail(out, 400, error);
                return false;
            }
        }
    }

    private void endRequest(List<Object> out) {
        out.add(BodyEnd.INSTANCE);
        state = State.PAUSED;
        method = null;
        target = null;
        version = null;
        headersEnded = false;
        targetHost = null;
        headBytes = 0;
    }

    private boolean fail(List<Object> out, int status, String reason) {
        String host = null;
        boolean badUri = target != null && UriNormalizer.normalize(target) == null;
        if (badUri) {
            headers = null; // refused in the request line by nginx, before any Host: the default server
        }
        if (headers != null) {
            host = targetHost; // read with the request line, before any Host header
        }
        if (host == null && headers != null && headers.get(HttpHeaderNames.HOST) != null) {
            host = Addresses.host(headers.get(HttpHeaderNames.HOST));
        } else if (host == null && headers != null && headersEnded) {
            host = ""; // nginx chose the server named "" before it refused the request
        }
        out.add(new DecodeError(status, reason, method, target, host));
        state = State.BAD;
        if (fieldScratch != null) {
            fieldScratch.clear();
        }
        headers = null;
        return false;
    }
}
