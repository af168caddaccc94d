package dev.modhttp.engine.internal;

import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.http.StreamedBody;
import dev.modhttp.engine.http.Tunnel;
import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine's way to the members of {@link Request} and {@link Response} that handlers must
 * not call: handing a response body over to the writer, setting the buffered request body.
 * Those members are package-private in {@code http}; its {@code Response} registers this bridge
 * when its class initializes. Modules cannot reach it: they may not import {@code internal}
 * (an architecture test says so).
 */
public final class HttpAccess {

    /** The engine-only operations. */
    public interface Bridge {
        /** Hands a file or pieces body over to the writer, as pieces; null when there is none. */
        List<Response.Piece> takePieces(Response response);

        /** Hands the body buffer over to the writer; null when there is none. */
        ByteBuf takeBody(Response response);

        /** Hands a 101 response's tunnel over to the writer; null when there is none. */
        Tunnel takeTunnel(Response response);

        /** Hands a streamed body over to the writer; null when there is none. */
        StreamedBody takeStream(Response response);

        /** Sets the buffered request body, in memory or in a file; the engine releases both after the request. */
        void body(Request request, ByteBuf body, Path file);
    }

    private static Bridge registered;

    private HttpAccess() {
    }

    /** Called once, by {@code Response}'s class initializer. */
    public static synchronized void register(Bridge bridge) {
        if (registered != null) {
            throw new IllegalStateException("the http bridge is registered already");
        }
        registered = bridge;
    }

    public static Bridge get() {
        return Holder.BRIDGE;
    }

    private static final class Holder {
        static final Bridge BRIDGE = load();

        private static Bridge load() {
            try {
                MethodHandles.lookup().ensureInitialized(Response.class);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            synchronized (HttpAccess.class) {
                return registered;
            }
        }
    }
}
