package dev.modhttp.engine.modules.rewrite;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    public record RewriteConfig(
            @KeyDoc(meaning = "`[\"^/old/(.*)$ /new/$1 last\"]`: captures `$1`..`$9` and any variable; flags `last`, `break`, "
                    + "`redirect`, `permanent`; runs before `return`; not inherited")
            List<Rewrite> rewrite) {
    }

    public static final ConfigSpec<RewriteConfig> CONFIG = ConfigSpec.flat(RewriteConfig.class)
            .scopes(Scope.SERVER, Scope.LOCATION)
            .inherited(false)
            .build();

    /** The replacements of each scope's entries, compiled at startup. */
    private Map<RewriteConfig, Template[]> replacements;

    @Override
    public void register(ModuleRegistry registry) {
        replacements = registry.compileEach(CONFIG, "rewrite", c -> c.rewrite().stream()
                .map(rw -> registry.variables().compile(rw.replacement())).toArray(Template[]::new));
        registry.handler(Phase.SERVER_REWRITE, this::handle).name("rewrite").order(Order.EARLY).onlyWhere(CONFIG);
        registry.handler(Phase.REWRITE, this::handle).name("rewrite").order(Order.EARLY).onlyWhere(CONFIG).inLocationsOnly();
    }

    private static final MatchResult NO_CAPTURES = Pattern.compile("").matcher("").toMatchResult();

    private Result handle(HttpExchange exchange) {
        Request request = exchange.request();
        RewriteConfig conf = exchange.config(CONFIG);
        Template[] compiled = replacements.get(conf);
        List<Rewrite> entries = conf.rewrite();
        for (int i = 0; i < entries.size(); i++) {
            Rewrite rw = entries.get(i);
            Matcher m = rw.regex().matcher(request.uriBytes());
            if (!m.find()) {
                exchange.rewriteCaptures(NO_CAPTURES); // nginx: a regex that did not match leaves $1..$9 empty
                continue;
            }
            exchange.rewriteCaptures(m); // this matcher is not used again: its named groups stay readable
            boolean external = compiled[i].source().startsWith("http://") || compiled[i].source().startsWith("https://")
                    || compiled[i].source().startsWith("$scheme");
            boolean redirect = external || rw.flag() == Rewrite.Flag.REDIRECT || rw.flag() == Rewrite.Flag.PERMANENT;
            int[] question = new int[1];
            String target = compiled[i].renderRewrite(exchange, m, redirect, question);
            if (redirect) {
                String location = external ? withArgs(target, request) : request.absoluteUrl(withArgs(target, request));
                exchange.response().header(HttpHeaderNames.LOCATION, Template.headerSafe(location));
                return Result.status(rw.flag() == Rewrite.Flag.PERMANENT ? 301 : 302);
            }
            int q = question[0]; // the replacement's own "?", not one a capture brought
            String args = request.args();
            if (q >= 0) {
                // nginx: a replacement ending in "?" drops the request's own args
                boolean dropOriginal = compiled[i].source().endsWith("?");
                String own = target.substring(q + 1, dropOriginal ? Math.max(q + 1, target.length() - 1) : target.length());
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

    /** nginx: the request's arguments follow the target's own, unless the target ends with "?". */
    private static String withArgs(String target, Request request) {
        if (target.endsWith("?")) {
            return target.substring(0, target.length() - 1);
        }
        String args = request.argsText();
        return args.isEmpty() ? target : target + (target.indexOf('?') >= 0 ? "&" : "?") + args;
    }
}
