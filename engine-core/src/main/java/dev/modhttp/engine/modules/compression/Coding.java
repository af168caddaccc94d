package dev.modhttp.engine.modules.compression;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.BrotliOutputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import com.github.luben.zstd.util.Native;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A content coding the module can produce. Among codings a client accepts with the same
 * q-value, br is preferred, then zstd, then gzip (smallest output first).
 */
enum Coding {
    BR("br", "brotli"),
    ZSTD("zstd", "zstd"),
    GZIP("gzip", "gzip");

    final String token;
    final String key;

    Coding(String token, String key) {
        this.token = token;
        this.key = key;
    }

    /** An encoder writing into {@code sink}; flush() ends a block the client can decode, close() the stream. */
    OutputStream open(OutputStream sink, int level) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPOutputStream(sink, 8192, true) {
                {
                    def.setLevel(level);
                }
            };
            case BR -> Libraries.brotli(sink, level);
            case ZSTD -> Libraries.zstd(sink, level);
        };
    }

    /** Whether the coding's library (and its native part) can be used here. */
    boolean available() {
        try {
            return switch (this) {
                case GZIP -> true;
                case BR -> Class.forName("com.aayushatharva.brotli4j.Brotli4jLoader") != null && Libraries.brotliLoaded();
                case ZSTD -> Class.forName("com.github.luben.zstd.Zstd") != null && Libraries.zstdLoaded();
            };
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** What a user adds to enable the coding. */
    String requirement() {
        return this == BR ? "com.aayushatharva.brotli4j:brotli4j with the native library of this platform"
                : "com.github.luben:zstd-jni";
    }

    /** The only place that names the optional libraries' classes: loaded only when a coding is used. */
    private static final class Libraries {

        static boolean brotliLoaded() {
            return Brotli4jLoader.isAvailable();
        }

        static boolean zstdLoaded() {
            Native.load();
            return Native.isLoaded();
        }

        static OutputStream brotli(OutputStream sink, int level) throws IOException {
            return new BrotliOutputStream(sink,
                    new Encoder.Parameters().setQuality(level));
        }

        static OutputStream zstd(OutputStream sink, int level) throws IOException {
            return new ZstdOutputStreamNoFinalizer(sink, level);
        }
    }
}
