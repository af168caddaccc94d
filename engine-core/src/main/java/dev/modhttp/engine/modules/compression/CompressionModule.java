package dev.modhttp.engine.modules.compression;

import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterChain;
import dev.modhttp.engine.filter.HeaderFilterChain;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.http.AcceptEncoding;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * Response compression as nginx's gzip filter does it, with brotli and zstd besides when their
 * libraries are present: a header filter decides per response (a coding on, status 200, 403
 * or 404, a type in gzip-types (HEAD as GET, without a body), not a range, not already encoded, long enough, not
 * from a proxy unless gzip-proxied, an HTTP version of at least gzip-http-version, a User-Agent gzip-disable does
 * not name) and picks the coding by the client's Accept-Encoding
 * q-values; the body filter then compresses chunk by chunk, flushing a decodable block per
 * chunk, and the response goes out chunked with a weak ETag. Responses it leaves alone keep
 * zero-copy files. Turning brotli or zstd on without its library fails startup.
 */
public final class CompressionModule implements Module {

    public static final ConfigSpec<CompressionConfig> CONFIG = ConfigSpec.flat(CompressionConfig.class)
            .defaults(CompressionConfig.DEFAULTS)
            .build();

    private static final Object STATE = new Object();
    private static final Object FILE_TIME = new Object();
    private static final Object TESTED = new Object();
    private static final Object PRECOMPRESSED = new Object();
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[16 * 1024];
        }
    };

    @Override
    public void register(ModuleRegistry registry) {
        registry.forEachLocation(l -> {
            CompressionConfig c = l.config(CONFIG);
            for (Coding coding : new Coding[] {Coding.BR, Coding.ZSTD}) {
                if (enabled(c, coding) && !coding.available()) {
                    throw new ConfigException(l.path(), coding.key, "needs " + coding.requirement()
                            + " on the classpath");
                }
            }
        });
        registry.headerFilter(CompressionModule::decide).name("gzip").order(Order.CONTENT_CODING);
        registry.bodyFilter(new Compressor()).name("gzip").order(Order.CONTENT_CODING);
    }

    private static boolean enabled(CompressionConfig c, Coding coding) {
        return switch (coding) {
            case GZIP -> c.gzip();
            case BR -> c.brotli();
            case ZSTD -> c.zstd();
        };
    }

    private static int level(CompressionConfig c, Coding coding) {
        return switch (coding) {
            case GZIP -> c.gzipCompLevel();
            case BR -> c.brotliCompLevel();
            case ZSTD -> c.zstdCompLevel();
        };
    }

    /** The per-response compression state; the encoder opens with the first chunk. */
    private static final class State extends OutputStream {
        final Coding coding;
        final int level;
        OutputStream encoder;
        /** Where the encoder's output of the current chunk goes. */
        ByteBuf target;

        State(Coding coding, int level) {
            this.coding = coding;
            this.level = level;
        }

        @Override
        public void write(int b) {
            target.writeByte(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            target.writeBytes(b, off, len);
        }
    }

    private static void decide(HttpExchange exchange, HeaderFilterChain next) throws Exception {
        CompressionConfig conf = exchange.config(CONFIG);
        Response r = exchange.response();
        if (conf.gzipVary() && exchange.attribute(PRECOMPRESSED) != null) {
            vary(r);
        }
        if (conf.any() && eligible(conf, r.status(), r, r.contentLength())) {
            if (conf.gzipVary()) {
                vary(r);
            }
            Coding coding = qualifies(exchange, conf) ? choose(conf, exchange.request()) : null;
            if (coding != null) {
                r.header(HttpHeaderNames.CONTENT_ENCODING, coding.token);
                r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
                r.headers().remove(HttpHeaderNames.ACCEPT_RANGES); // nginx: no ranges of a compressed body
                r.contentLength(-1);
                String etag = r.headers().get(HttpHeaderNames.ETAG);
                if (etag != null && etag.startsWith("\"")) {
                    r.header(HttpHeaderNames.ETAG, "W/" + etag); // the bytes differ from the strong validator's
                }
                if (!exchange.request().isHead()) { // HEAD gets the GET's headers; there is no body to encode
                    exchange.attribute(STATE, new State(coding, level(conf, coding)));
                }
            }
        }
        next.next(exchange);
    }

    /**
     * Adds {@code gzip-vary}'s {@code Vary: Accept-Encoding} to a range of a file of
     * {@code length} bytes, as nginx's gzip filter marks it before its range filter makes the 206.
     */
    public static void markVary(HttpExchange exchange, long length) {
        CompressionConfig conf = exchange.config(CONFIG);
        Response r = exchange.response();
        if (conf.any() && conf.gzipVary() && eligible(conf, 200, r, length)) {
            vary(r);
        }
    }

    /**
     * gzip-static's mark that a precompressed file exists for the URI, whoever asks (nginx's
     * {@code r->gzip_vary}): the response then carries gzip-vary's {@code Vary: Accept-Encoding}
     * where the location that answers has gzip-vary on, whatever its status. A redirect to another
     * URI (an error page's, try-files' last) drops the mark, as nginx runs the request's phases anew.
     */
    public static void precompressedExists(HttpExchange exchange) {
        exchange.attribute(PRECOMPRESSED, Boolean.TRUE);
    }

    /** gzip-vary's {@code Vary: Accept-Encoding}, once, beside a Vary of add-header's (nginx writes its own line). */
    private static void vary(Response r) {
        if (!r.headers().containsValue(HttpHeaderNames.VARY, "Accept-Encoding", true)) {
            r.headers().add(HttpHeaderNames.VARY, "Accept-Encoding");
        }
    }

    /**
     * Whether a 200 response of {@code length} bytes with the type already set would go out
     * compressed. nginx's gzip filter then clears Accept-Ranges, so that its range filter, after
     * it, sends the whole compressed body with 200: the static files module serves no range of it.
     */
    public static boolean willCompress(HttpExchange exchange, long length) {
        CompressionConfig conf = exchange.config(CONFIG);
        Response r = exchange.response();
        return conf.any() && eligible(conf, 200, r, length) && qualifies(exchange, conf)
                && choose(conf, exchange.request()) != null;
    }

    /** The enabled coding the client accepts with the highest q-value (br, zstd, gzip among equals), or null. */
    private static Coding choose(CompressionConfig conf, Request request) {
        String accept = request.header("Accept-Encoding");
        if (accept == null) {
            return null;
        }
        Coding best = null;
        double bestQ = 0;
        for (Coding c : Coding.values()) {
            if (enabled(conf, c)) {
                double q = AcceptEncoding.quality(accept, c.token);
                if (q > bestQ) {
                    best = c;
                    bestQ = q;
                }
            }
        }
        return best;
    }

    /**
     * nginx's gzip header filter up to where it marks the response as varying by Accept-Encoding:
     * status 200, 403 or 404, not encoded yet, not known to be shorter than gzip-min-length, a type
     * of gzip-types (a 206 or a 304 never is).
     */
    private static boolean eligible(CompressionConfig conf, int status, Response r, long length) {
        return (status == 200 || status == 403 || status == 404) && !r.headers().contains(HttpHeaderNames.CONTENT_ENCODING)
                && !(length >= 0 && length < conf.gzipMinLength()) && typeMatches(conf, r);
    }

    /**
     * Whether a response to {@code exchange}'s request may be sent compressed, by the request
     * and the response's headers so far (nginx's {@code ngx_http_gzip_ok} past Accept-Encoding): its
     * HTTP version is at least {@code gzip-http-version}, it has no {@code Via} unless
     * {@code gzip-proxied} allows it ({@link GzipProxied}), and
     * its User-Agent matches no {@code gzip-disable} entry. The static files module asks it before
     * it sends a precompressed file, as nginx's {@code gzip_static on} does; that answer, given
     * before the file's headers are set, is the compression filter's too (nginx's
     * {@code gzip_tested}).
     */
    public static boolean qualifies(HttpExchange exchange) {
        boolean ok = qualifies(exchange, exchange.config(CONFIG));
        exchange.attribute(TESTED, ok); // nginx's gzip_tested: the filter takes this answer, given before the headers
        return ok;
    }

    /**
     * Marks the response's Last-Modified as a file's: nginx holds that as a time, not as a header
     * line, and gzip-proxied's {@code no_last_modified} does not see it.
     */
    public static void lastModifiedOfAFile(HttpExchange exchange) {
        exchange.attribute(FILE_TIME, Boolean.TRUE);
    }

    private static boolean qualifies(HttpExchange exchange, CompressionConfig conf) {
        Boolean tested = exchange.attribute(TESTED);
        if (tested != null) {
            return tested;
        }
        Request request = exchange.request();
        HttpVersion v = request.version();
        if (v.majorVersion() * 1000 + v.minorVersion() < conf.lowestVersion() || request.header("Via") != null
                && !GzipProxied.allows(conf.gzipProxied(), request, exchange.response().headers(),
                        exchange.attribute(FILE_TIME) != null)) {
            return false;
        }
        String agent = request.header("User-Agent");
        for (int i = 0; agent != null && i < conf.gzipDisable().size(); i++) {
            if (conf.gzipDisable().get(i).matches(agent)) {
                return false;
            }
        }
        return true;
    }

    private static boolean typeMatches(CompressionConfig conf, Response r) {
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
            s.target = Unpooled.buffer(Math.max(64, chunk.readableBytes() / 2 + 64));
            try {
                if (s.encoder == null) {
                    s.encoder = s.coding.open(s, s.level);
                }
                byte[] scratch = SCRATCH.get();
                while (chunk.isReadable()) {
                    int n = Math.min(scratch.length, chunk.readableBytes());
                    chunk.readBytes(scratch, 0, n);
                    s.encoder.write(scratch, 0, n);
                }
                if (last) {
                    s.encoder.close();
                } else {
                    s.encoder.flush();
                }
            } catch (IOException | RuntimeException e) {
                closeQuietly(s.encoder);
                s.target.release();
                throw e;
            } finally {
                chunk.release();
            }
            ByteBuf out = s.target;
            s.target = null;
            next.next(exchange, out, last);
        }

        private static void closeQuietly(OutputStream encoder) {
            if (encoder != null) {
                try {
                    encoder.close();
                } catch (IOException | RuntimeException ignored) {
                    // the response is failing already; this only frees the encoder
                }
            }
        }
    }
}
