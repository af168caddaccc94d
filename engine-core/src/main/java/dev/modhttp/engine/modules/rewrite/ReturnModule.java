package dev.modhttp.engine.modules.rewrite;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.modules.staticfiles.MimeTypes;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * {@code return}: ends the request with a status, a redirect or a text. Written at server
 * scope it runs in SERVER_REWRITE (before a location is chosen); at a location, in REWRITE.
 * Like nginx's rewrite directives it is not inherited by nested locations. The request body
 * is discarded by the engine, within {@code client-max-body-size}. The text or target may use
 * variables ({@code "301 https://$host$request_uri"}) and the captures of a regex location.
 */
public final class ReturnModule implements Module {

    public static final ConfigSpec<ReturnConfig> CONFIG = ConfigSpec.block("return", ReturnConfig.class)
            .scopes(Scope.SERVER, Scope.LOCATION)
            .inherited(false)
            .build();


    /** Bodies and targets compiled once at startup, by the record they come from. */
    private Map<ReturnConfig, Template> bodies;
    /** Literal response texts, encoded once. */
    private final Map<ReturnConfig, ByteBuf> texts = new IdentityHashMap<>();

    @Override
    public void register(ModuleRegistry registry) {
        bodies = registry.compileEach(CONFIG, "return",
                c -> c.body() == null ? null : registry.variables().compile(c.body()));
        bodies.forEach((c, body) -> {
            if (body != null && body.isLiteral() && !ReturnConfig.isRedirect(c.status())) {
                // a plain heap buffer: shared by every response, never released, so not leak-tracked
                texts.put(c, Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                        body.source().getBytes(StandardCharsets.UTF_8))).asReadOnly());
            }
        });
        registry.handler(Phase.SERVER_REWRITE, this::handle).onlyWhere(CONFIG);
        registry.handler(Phase.REWRITE, this::handle).onlyWhere(CONFIG).inLocationsOnly();
    }

    private Result handle(HttpExchange exchange) {
        ReturnConfig conf = exchange.config(CONFIG);
        if (conf == null || conf.status() == null) {
            return Result.DECLINED;
        }
        int status = conf.status();
        Template body = bodies.get(conf);
        if (ReturnConfig.isRedirect(status)) {
            String target = exchange.request().absoluteUrl(body.renderHeaderValue(exchange));
            exchange.response().header(HttpHeaderNames.LOCATION, target);
            return Result.status(status);
        }
        if (body == null && status >= 400) {
            return Result.status(status); // an error: error pages apply, its status wins
        }
        // a response of its own (after an error page redirect the error's status stays), typed as
        // nginx types it: by the URI's extension, else default-type; the type is set on a 204 too,
        // as an error page may send it with another status, and the framing drops it from a final 204
        // (unless a type is set already: nginx keeps the one an X-Accel-Redirect brought)
        if (!exchange.response().headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
            exchange.response().header(HttpHeaderNames.CONTENT_TYPE,
                    MimeTypes.forUri(exchange.request().uri(), exchange.location().config(CoreModule.CONFIG)));
        }
        if (body == null || status == 204) {
            exchange.response().status(status).contentLength(0);
            return Result.DONE;
        }
        ByteBuf text = texts.get(conf);
        exchange.response().status(status)
                .body(text != null ? text.duplicate() : Unpooled.copiedBuffer(body.render(exchange), StandardCharsets.UTF_8));
        return Result.DONE;
    }
}
