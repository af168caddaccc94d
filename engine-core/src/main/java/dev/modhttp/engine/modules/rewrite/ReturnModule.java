package dev.modhttp.engine.modules.rewrite;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.config.ServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;

/**
 * {@code return}: ends the request with a status, a redirect or a text. Written at server
 * scope it runs in SERVER_REWRITE (before a location is chosen); at a location, in REWRITE.
 * Like nginx's rewrite directives it is not inherited by nested locations. The request body
 * is discarded by the engine, within {@code client-max-body-size}.
 */
public final class ReturnModule implements Module {

    public static final ConfigSpec<ReturnConfig> CONFIG = ConfigSpec.block("return", ReturnConfig.class)
            .scopes(Scope.SERVER, Scope.LOCATION)
            .inherited(false)
            .build();

    @Override
    public List<ConfigSpec<?>> configs() {
        return List.of(CONFIG);
    }

    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");

    /** Response texts encoded once at startup, by the record they come from. */
    private final Map<ReturnConfig, ByteBuf> texts = new IdentityHashMap<>();

    @Override
    public void register(ModuleRegistry registry) {
        for (ServerConfig server : registry.config().servers()) {
            server.scope().forEach(l -> {
                ReturnConfig c = l.isConfigured(CONFIG) ? l.config(CONFIG) : null;
                if (c != null && c.body() != null && !ReturnConfig.isRedirect(c.status())) {
                    // a plain heap buffer: shared by every response, never released, so not leak-tracked
                    texts.put(c, Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                            c.body().getBytes(StandardCharsets.UTF_8))).asReadOnly());
                }
            });
        }
        registry.handler(new HandlerDefinition(Phase.SERVER_REWRITE, 0, "return", this::handle, false,
                l -> l.kind() == Location.Kind.SERVER && l.isConfigured(CONFIG)));
        registry.handler(new HandlerDefinition(Phase.REWRITE, 0, "return", this::handle, false,
                l -> l.kind() != Location.Kind.SERVER && l.isConfigured(CONFIG)));
    }

    private Result handle(HttpExchange exchange) {
        ReturnConfig conf = exchange.config(CONFIG);
        if (conf == null || conf.status() == null) {
            return Result.DECLINED;
        }
        int status = conf.status();
        String body = conf.body();
        if (ReturnConfig.isRedirect(status)) {
            exchange.response().header(HttpHeaderNames.LOCATION, absolute(exchange.request(), body));
            return Result.status(status);
        }
        if (body == null) {
            return Result.status(status);
        }
        ByteBuf text = texts.get(conf);
        exchange.response().status(status).header(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
                .body(text != null ? text.duplicate() : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        return Result.DONE;
    }

    /** nginx's absolute_redirect: a target starting with "/" gets scheme and host. */
    static String absolute(Request request, String target) {
        if (!target.startsWith("/")) {
            return target;
        }
        String host = request.header("Host");
        if (host == null || host.isEmpty()) {
            host = request.host() != null ? request.host()
                    : request.localAddress().getAddress().getHostAddress() + ":" + request.localAddress().getPort();
        }
        return "http://" + host + target;
    }
}
