package dev.modhttp.engine.modules.headers;

import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.filter.HeaderFilterChain;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.http.DateCache;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Instant;
import dev.modhttp.engine.variable.Template;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * nginx's headers module as a header filter: {@code add-header} entries and {@code expires}
 * ({@code Expires} and {@code Cache-Control}), on 200, 201, 204, 206, 301, 302, 303, 304, 307
 * and 308 responses (and on every status for entries marked {@code always}). Unlike nginx,
 * a scope that adds one header keeps the headers of its enclosing scopes by default
 * ({@code add-header-inherit: merge}); {@code replace} restores nginx's rule. Values may hold
 * variables, rendered per response.
 */
public final class HeadersModule implements Module {

    public static final ConfigSpec<HeadersConfig> CONFIG = ConfigSpec.flat(HeadersConfig.class)
            .defaults(HeadersConfig.DEFAULTS)
            .merge(HeadersConfig::merge)
            .build();

    /** nginx's "max": the end of 2037, ten years of max-age. */
    private static final String MAX_EXPIRES = "Thu, 31 Dec 2037 23:55:55 GMT";
    private static final String EPOCH_EXPIRES = "Thu, 01 Jan 1970 00:00:01 GMT";

    /** Each entry's value, compiled at startup (values may hold variables: {@code "X-Request-Id $request_id"}). */
    private final Map<AddHeader, Template> values = new IdentityHashMap<>();

    @Override
    public void register(ModuleRegistry registry) {
        registry.compileEach(CONFIG, "add-header", c -> {
            for (AddHeader h : c.addHeader()) {
                values.computeIfAbsent(h, entry -> registry.variables().compile(entry.value()));
            }
            return c;
        });
        registry.headerFilter(this::filter).name("headers").order(Order.HEADERS);
    }

    private void filter(HttpExchange exchange, HeaderFilterChain next) throws Exception {
        HeadersConfig conf = exchange.config(CONFIG);
        Response r = exchange.response();
        boolean success = switch (r.status()) {
            case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308 -> true;
            default -> false;
        };
        if (success) {
            expires(r, conf.expires());
        }
        List<AddHeader> adds = conf.addHeader();
        for (int i = 0; i < adds.size(); i++) { // indexed: no iterator per response
            AddHeader h = adds.get(i);
            if (success || h.always()) {
                Template template = values.get(h);
                String value = template != null ? template.renderHeaderValue(exchange) : h.value();
                // nginx's specials (ngx_http_headers_filter): these replace the engine's own, and an
                // empty value removes it
                if (h.name().equalsIgnoreCase("ETag") || h.name().equalsIgnoreCase("Last-Modified")) {
                    if (value.isEmpty()) {
                        r.headers().remove(h.name());
                    } else {
                        r.headers().set(h.name(), value);
                    }
                } else if (!value.isEmpty()) { // nginx adds no header with an empty value
                    r.headers().add(h.name(), value);
                }
            }
        }
        next.next(exchange);
    }

    private static void expires(Response r, HeadersConfig.Expires e) {
        if (e == null || e.kind().equals("off")) {
            return;
        }
        switch (e.kind()) {
            case "epoch" -> {
                r.header(HttpHeaderNames.EXPIRES, EPOCH_EXPIRES);
                r.header(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            }
            case "max" -> {
                r.header(HttpHeaderNames.EXPIRES, MAX_EXPIRES);
                r.header(HttpHeaderNames.CACHE_CONTROL, "max-age=315360000");
            }
            default -> {
                long seconds = e.duration().getSeconds();
                r.header(HttpHeaderNames.EXPIRES, DateCache.format(Instant.now().plusSeconds(seconds)));
                r.header(HttpHeaderNames.CACHE_CONTROL, seconds < 0 ? "no-cache" : "max-age=" + seconds);
            }
        }
    }
}
