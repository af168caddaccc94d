package dev.modhttp.demo;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Result;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The classic nginx hello module: {@code hello: { string: jizhao, counter: true }} in a
 * location answers {@code jizhao Visited Times:3}, counting per location.
 */
@Component
public class HelloModule implements Module {

    /** The module's config: location scope only, counter off by default. */
    public record HelloConfig(String string, Boolean counter) {
    }

    public static final ConfigSpec<HelloConfig> CONFIG = ConfigSpec.block("hello", HelloConfig.class)
            .scopes(Scope.LOCATION)
            .defaults(new HelloConfig(null, false))
            .build();

    /** One counter per location, created at startup: counting costs no lookup. */
    private final Map<Location, AtomicLong> visits = new IdentityHashMap<>();

    @Override
    public void register(ModuleRegistry registry) {
        registry.forEachLocation(l -> visits.put(l, new AtomicLong()));
        registry.contentHandler(CONFIG, this::handle);
    }

    private Result handle(HttpExchange exchange) {
        String method = exchange.request().method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.response().header("Allow", "GET, HEAD");
            return Result.status(405);
        }
        HelloConfig conf = exchange.config(CONFIG);
        if (conf.string() == null || conf.string().isEmpty()) {
            return Result.DECLINED;
        }
        String body = conf.counter()
                ? conf.string() + " Visited Times:" + visits.get(exchange.location()).incrementAndGet()
                : conf.string();
        exchange.response().contentType("text/plain").body(body);
        return Result.OK;
    }
}
