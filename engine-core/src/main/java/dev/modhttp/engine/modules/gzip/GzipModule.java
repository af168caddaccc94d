package dev.modhttp.engine.modules.gzip;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterChain;
import dev.modhttp.engine.filter.FilterDefinition;
import dev.modhttp.engine.filter.HeaderFilterChain;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.AcceptEncoding;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Response compression as nginx's gzip filter does it: a header filter decides per response
 * (gzip on, status 200, 403 or 404, a type in gzip-types, not HEAD, not a range, not already
 * encoded, long enough, accepted by Accept-Encoding q-values, not from a proxy unless
 * gzip-proxied); the body filter then compresses chunk by chunk with the gzip framing, and the
 * response goes out chunked with a weak ETag. Responses it leaves alone keep zero-copy files.
 */
public final class GzipModule implements Module {

    public static final ConfigSpec<GzipConfig> CONFIG = ConfigSpec.flat(GzipConfig.class)
            .defaults(GzipConfig.DEFAULTS)
            .build();

    private static final Object STATE = new Object();
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    @Override
    public List<ConfigSpec<?>> configs() {
        return List.of(CONFIG);
    }

    @Override
    public void register(ModuleRegistry registry) {
        registry.filter(FilterDefinition.header(Integer.MAX_VALUE - 200, GzipModule::decide));
        registry.filter(FilterDefinition.body(Integer.MAX_VALUE - 200, new Compressor()));
    }

    /** The per-response compression state. */
    private static final class State {
        final Deflater deflater;
        final CRC32 crc = new CRC32();
        long inputLength;
        boolean headerSent;

        State(int level) {
            deflater = new Deflater(level, true);
        }
    }

    private static void decide(HttpExchange exchange, HeaderFilterChain next) throws Exception {
        GzipConfig conf = exchange.config(CONFIG);
        Response r = exchange.response();
        if (conf.gzip() && compressible(exchange, conf, r)) {
            r.header(HttpHeaderNames.CONTENT_ENCODING, "gzip");
            r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            r.contentLength(-1);
            String etag = r.headers().get(HttpHeaderNames.ETAG);
            if (etag != null && etag.startsWith("\"")) {
                r.header(HttpHeaderNames.ETAG, "W/" + etag); // the bytes differ from the strong validator's
            }
            exchange.attribute(STATE, new State(conf.gzipCompLevel()));
        }
        if (conf.gzip() && conf.gzipVary() && typeMatches(conf, r) && !r.headers().contains(HttpHeaderNames.VARY)) {
            r.header(HttpHeaderNames.VARY, "Accept-Encoding");
        }
        next.next(exchange);
    }

    private static boolean compressible(HttpExchange exchange, GzipConfig conf, Response r) {
        Request request = exchange.request();
        int status = r.status();
        if (status != 200 && status != 403 && status != 404 || request.isHead()
                || r.headers().contains(HttpHeaderNames.CONTENT_ENCODING)
                || r.headers().contains(HttpHeaderNames.CONTENT_RANGE) || !typeMatches(conf, r)) {
            return false;
        }
        if (r.contentLength() >= 0 && r.contentLength() < conf.gzipMinLength()) {
            return false;
        }
        if (conf.gzipProxied() == GzipConfig.Proxied.OFF && request.header("Via") != null) {
            return false;
        }
        return AcceptEncoding.quality(request.header("Accept-Encoding"), "gzip") > 0;
    }

    private static boolean typeMatches(GzipConfig conf, Response r) {
        String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return false;
        }
        int semi = type.indexOf(';');
        String bare = (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return bare.equals("text/html") || conf.gzipTypes().contains("*") || conf.gzipTypes().contains(bare);
    }

    /** Compresses the chunks of responses the header filter chose. */
    private static final class Compressor implements BodyFilter {

        @Override
        public boolean needsBytes(HttpExchange exchange) {
            return exchange.attribute(STATE) != null;
        }

        @Override
        public void filter(HttpExchange exchange, ByteBuf chunk, boolean last, BodyFilterChain next) throws Exception {
            State s = exchange.attribute(STATE);
            if (s == null) {
                next.next(exchange, chunk, last);
                return;
            }
            ByteBuf out = Unpooled.buffer(Math.max(64, chunk.readableBytes() / 2 + 64));
            try {
                if (!s.headerSent) {
                    out.writeBytes(HEADER);
                    s.headerSent = true;
                }
                byte[] input = new byte[chunk.readableBytes()];
                chunk.readBytes(input);
                s.crc.update(input);
                s.inputLength += input.length;
                s.deflater.setInput(input);
                if (last) {
                    s.deflater.finish();
                }
                drain(s.deflater, out, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH, last);
                if (last) {
                    long crc = s.crc.getValue();
                    out.writeIntLE((int) crc);
                    out.writeIntLE((int) s.inputLength);
                    s.deflater.end();
                }
            } catch (RuntimeException e) {
                out.release();
                s.deflater.end();
                throw e;
            } finally {
                chunk.release();
            }
            next.next(exchange, out, last);
        }

        private static void drain(Deflater d, ByteBuf out, int flush, boolean finishing) {
            byte[] buf = new byte[8192];
            while (true) {
                int n = d.deflate(buf, 0, buf.length, flush);
                if (n > 0) {
                    out.writeBytes(buf, 0, n);
                }
                if (finishing ? d.finished() : n < buf.length) {
                    return;
                }
            }
        }
    }
}
