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
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;

/**
 * nginx's {@code rewrite}: at server scope in SERVER_REWRITE, at a location in REWRITE (before
 * that location's {@code return}), in the order written. Without a flag the next entry sees
 * the new URI and, once all ran, a changed URI selects the location again; {@code last} stops
 * here and selects it again; {@code break} stops here and stays in this location;
 * {@code redirect} and {@code permanent} answer 302 and 301. Like nginx's, not inherited by
 * nested locations.
 *
 * <pre>
 * rewrite: ["^/old/(.*)$ /new/$1 last", "^/gone$ https://example.com/ permanent"]
 * </pre>
 */
public final class RewriteModule implements Module {

    /** The entries of one scope, in order. */
    public record RewriteConfig(List<Rewrite> rewrite) {
    }

    public static final ConfigSpec<RewriteConfig> CONFIG = ConfigSpec.flat(RewriteConfig.class)
            .scopes(Scope.SERVER, Scope.LOCATION)
            .inherited(false)
            .build();

    @Override
    public List<ConfigSpec<?>> configs() {
        return List.of(CONFIG);
    }

    @Override
    public void register(ModuleRegistry registry) {
        registry.handler(new HandlerDefinition(Phase.SERVER_REWRITE, -100, "rewrite", RewriteModule::handle, false,
                l -> l.kind() == Location.Kind.SERVER && l.isConfigured(CONFIG)));
        registry.handler(new HandlerDefinition(Phase.REWRITE, -100, "rewrite", RewriteModule::handle, false,
                l -> l.kind() != Location.Kind.SERVER && l.isConfigured(CONFIG)));
    }

    static Result handle(HttpExchange exchange) {
        Request request = exchange.request();
        for (Rewrite rw : exchange.config(CONFIG).rewrite()) {
            String target = rw.apply(request.uriBytes(), request.uri(), request.args(), request.host());
            if (target == null) {
                continue;
            }
            boolean external = target.startsWith("http://") || target.startsWith("https://");
            if (external || rw.flag() == Rewrite.Flag.REDIRECT || rw.flag() == Rewrite.Flag.PERMANENT) {
                String location = external ? target : ReturnModule.absolute(request, withArgs(target, request));
                exchange.response().header(HttpHeaderNames.LOCATION, location);
                return Result.status(rw.flag() == Rewrite.Flag.PERMANENT ? 301 : 302);
            }
            int q = target.indexOf('?');
            String args = request.args();
            if (q >= 0) {
                boolean dropOriginal = target.endsWith("?"); // nginx: a final "?" drops the request's own args
                String own = target.substring(q + 1, dropOriginal ? target.length() - 1 : target.length());
                args = dropOriginal || args.isEmpty() ? own : own.isEmpty() ? args : own + "&" + args;
                target = target.substring(0, q);
            }
            request.setUri(target, args);
            if (rw.flag() == Rewrite.Flag.BREAK) {
                exchange.keepLocation();
                return Result.OK;
            }
            if (rw.flag() == Rewrite.Flag.LAST) {
                return Result.OK;
            }
        }
        return Result.DECLINED;
    }

    private static String withArgs(String target, Request request) {
        if (target.indexOf('?') >= 0) {
            return target.endsWith("?") ? target.substring(0, target.length() - 1) : target;
        }
        return request.args().isEmpty() ? target : target + "?" + request.args();
    }
}
