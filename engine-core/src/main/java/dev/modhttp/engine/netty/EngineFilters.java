package dev.modhttp.engine.netty;

import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.DateCache;
import dev.modhttp.engine.internal.HeaderNames;
import dev.modhttp.engine.internal.Server;
import dev.modhttp.engine.internal.StatusText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The engine's own output filters, which close the chains after every user filter:
 * <pre>
 *  header: ... user filters -> Date/Server -> framing -> head writer
 *  body:   ... user filters -> body suppression (HEAD, 1xx, 204, 304) -> chunked framing -> writer
 * </pre>
 */
final class EngineFilters {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final AsciiString[] SMALL_LENGTHS = new AsciiString[4096];

    static {
        for (int i = 0; i < SMALL_LENGTHS.length; i++) {
            SMALL_LENGTHS[i] = AsciiString.cached(Integer.toString(i));
        }
    }

    private EngineFilters() {
    }

    private static CharSequence lengthValue(long length) {
        return length < SMALL_LENGTHS.length ? SMALL_LENGTHS[(int) length] : Long.toString(length);
    }

    static List<HeaderFilter> headerTail() {
        return List.of(EngineFilters::dateAndServer, EngineFilters::framing, EngineFilters::writeHead);
    }

    static List<BodyFilter> bodyTail() {
        return List.of(EngineFilters::suppressBody, EngineFilters::chunked, EngineFilters::writeBody);
    }

    /** Date (refreshed once a second) and Server (the product name, no version). */
    private static void dateAndServer(dev.modhttp.engine.http.HttpExchange exchange,
            dev.modhttp.engine.filter.HeaderFilterChain next) throws Exception {
        HttpHeaders h = exchange.response().headers();
        h.set(HttpHeaderNames.DATE, DateCache.now());
        h.set(HttpHeaderNames.SERVER, Server.HEADER);
        next.next(exchange);
    }

    /** Content-Length, chunked or close-delimited framing, and the Connection header. */
    private static void framing(dev.modhttp.engine.http.HttpExchange exchange,
            dev.modhttp.engine.filter.HeaderFilterChain next) throws Exception {
        Exchange ex = (Exchange) exchange;
        Response r = ex.response();
        HttpHeaders h = r.headers();
        int status = r.status();
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (status < 200 || status == 204 || status == 304) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            if (status == 204) { // nginx's header filter: a 204 carries no type and no Last-Modified
                h.remove(HttpHeaderNames.CONTENT_TYPE);
                h.remove(HttpHeaderNames.LAST_MODIFIED);
            }
            r.clearBody();
            ex.bodyMode = Exchange.BodyMode.NONE;
        } else if (r.contentLength() >= 0) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, lengthValue(r.contentLength()));
            ex.bodyMode = Exchange.BodyMode.FIXED;
        } else if (ex.request().isHead()) {
            // nginx: a HEAD of a body of unknown length (compressed, say) announces neither chunks
            // nor a length, and the connection goes on
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            ex.bodyMode = Exchange.BodyMode.NONE;
        } else if (!ex.isHttp10()) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ex.bodyMode = Exchange.BodyMode.CHUNKED;
        } else {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            ex.bodyMode = Exchange.BodyMode.CLOSE_DELIMITED;
            ex.keepAlive = false;
        }
        if (ex.request().isHead()) {
            ex.bodyMode = Exchange.BodyMode.NONE;
        }
        if (!ex.keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (ex.isHttp10()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            h.remove(HttpHeaderNames.CONNECTION);
        }
        next.next(exchange);
    }

    /** Encodes the status line and headers and writes them (flushed with the body). */
    private static void writeHead(dev.modhttp.engine.http.HttpExchange exchange,
            dev.modhttp.engine.filter.HeaderFilterChain next) {
        Exchange ex = (Exchange) exchange;
        Response r = ex.response();
        ByteBuf out = ex.conn.alloc().buffer(256);
        StatusText.writeStatusLine(out, r.status());
        Iterator<Map.Entry<CharSequence, CharSequence>> it = r.headers().iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            byte[] wire = HeaderNames.wire(e.getKey());
            if (wire != null) {
                out.writeBytes(wire);
            } else {
                ByteBufUtil.writeAscii(out, e.getKey());
            }
            out.writeByte(':').writeByte(' ');
            ByteBufUtil.writeUtf8(out, e.getValue()); // header values are text: UTF-8 on the wire, as nginx passes a URI's bytes
            out.writeBytes(CRLF);
        }
        out.writeBytes(CRLF);
        ex.conn.transition(dev.modhttp.engine.module.ConnectionState.WRITE);
        ex.headersSent = true;
        ex.headBytesSent = out.readableBytes();
        ex.pendingHead = out; // goes out with the first body bytes, in one buffer when they are small
    }

    /** Drops body bytes for responses that have none on the wire (HEAD, 1xx, 204, 304). */
    private static void suppressBody(dev.modhttp.engine.http.HttpExchange exchange, ByteBuf chunk, boolean last,
            dev.modhttp.engine.filter.BodyFilterChain next) throws Exception {
        Exchange ex = (Exchange) exchange;
        if (ex.bodyMode == Exchange.BodyMode.NONE && chunk.isReadable()) {
            chunk.release();
            next.next(exchange, io.netty.buffer.Unpooled.EMPTY_BUFFER, last);
        } else {
            next.next(exchange, chunk, last);
        }
    }

    /** Chunked transfer coding for bodies of unknown length. */
    private static void chunked(dev.modhttp.engine.http.HttpExchange exchange, ByteBuf chunk, boolean last,
            dev.modhttp.engine.filter.BodyFilterChain next) throws Exception {
        Exchange ex = (Exchange) exchange;
        if (ex.bodyMode != Exchange.BodyMode.CHUNKED) {
            next.next(exchange, chunk, last);
            return;
        }
        int n = chunk.readableBytes();
        if (n > 0) {
            ByteBuf size = ex.conn.alloc().buffer(12);
            ByteBufUtil.writeAscii(size, Integer.toHexString(n));
            size.writeBytes(CRLF);
            ex.output(size);
            ex.bodyBytesSent += n;
            ex.output(chunk);
            ex.output(io.netty.buffer.Unpooled.wrappedBuffer(CRLF));
        } else {
            chunk.release();
        }
        if (last) {
            next.next(exchange, io.netty.buffer.Unpooled.wrappedBuffer(LAST_CHUNK), true);
        }
    }

    /** Writes body bytes; after the last, the request completes (LOG, hooks, next request). */
    private static void writeBody(dev.modhttp.engine.http.HttpExchange exchange, ByteBuf chunk, boolean last,
            dev.modhttp.engine.filter.BodyFilterChain next) {
        Exchange ex = (Exchange) exchange;
        if (chunk.isReadable()) {
            if (ex.bodyMode != Exchange.BodyMode.CHUNKED) {
                ex.bodyBytesSent += chunk.readableBytes();
            }
            ex.output(chunk);
        } else {
            chunk.release();
        }
        if (last) {
            ex.output(null);
            ex.complete();
        }
    }
}
