package dev.modhttp.engine.modules.actuator;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Result;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Serves endpoints as JSON at a location that enables them with {@code actuator: on}:
 * {@code GET <location>/<name>} answers the read operation of endpoint {@code name} (query
 * arguments are passed to it, decoded), {@code POST <location>/<name>} its write operation,
 * which runs off the event loop (a reload compiles a configuration). Which endpoints exist is
 * given when the module is created; the starter gives Spring Boot Actuator's engine endpoints
 * (a {@code POST} to {@code engine} reloads the configuration). Guard the location as any
 * other ({@code access}, {@code auth-basic}).
 *
 * <pre>
 * locations:
 *   - location: /actuator/
 *     actuator: on
 * </pre>
 */
public final class ActuatorModule implements Module {

    public static final ConfigSpec<ActuatorConfig> CONFIG = ConfigSpec.block("actuator", ActuatorConfig.class)
            .scopes(Scope.LOCATION)
            .inherited(false)
            .build();

    /** An endpoint: from the request's decoded query arguments to a JSON-renderable value (null: 404). */
    public interface Endpoint extends Function<Function<String, String>, Object> {
    }

    /**
     * Answers every request at a location with {@code actuator: on}, off the event loop; the
     * starter's serves Spring Boot Actuator's web endpoints through it.
     */
    public interface Dispatcher {
        /**
         * @param path what follows the location's prefix: "" for the location itself, else starting
         *     with "/" ({@code /health/liveness})
         */
        Result dispatch(HttpExchange exchange, String path) throws Exception;
    }

    private final Map<String, Endpoint> endpoints;
    private final Map<String, Endpoint> writes;
    private final Dispatcher dispatcher;

    public ActuatorModule(Map<String, Endpoint> endpoints) {
        this(endpoints, Map.of());
    }

    /** @param writes the write operations by endpoint name, answering {@code POST} */
    public ActuatorModule(Map<String, Endpoint> endpoints, Map<String, Endpoint> writes) {
        this.endpoints = Map.copyOf(endpoints);
        this.writes = Map.copyOf(writes);
        this.dispatcher = null;
    }

    /** Every request at an enabled location goes to {@code dispatcher}, on the engine's blocking executor. */
    public ActuatorModule(Dispatcher dispatcher) {
        this.endpoints = Map.of();
        this.writes = Map.of();
        this.dispatcher = dispatcher;
    }

    @Override
    public void register(ModuleRegistry registry) {
        if (dispatcher != null) {
            registry.contentHandler(CONFIG, this::dispatch).name("actuator").blocking();
        } else {
            registry.contentHandler(CONFIG, this::handle).name("actuator");
        }
    }

    private Result dispatch(HttpExchange exchange) throws Exception {
        if (!Boolean.TRUE.equals(exchange.config(CONFIG).enabled())) {
            return Result.DECLINED;
        }
        String path = below(exchange);
        return dispatcher.dispatch(exchange, path.isEmpty() || path.startsWith("/") ? path : "/" + path);
    }

    /** What follows the location's prefix (for a regex or exact location, the last segment). */
    private static String below(HttpExchange exchange) {
        Location l = exchange.location();
        String uri = exchange.request().uri();
        return l.kind() == Location.Kind.PREFIX || l.kind() == Location.Kind.PREFIX_NOREGEX
                ? uri.substring(Math.min(l.name().length(), uri.length())) : uri.substring(uri.lastIndexOf('/') + 1);
    }

    private Result handle(HttpExchange exchange) {
        if (!Boolean.TRUE.equals(exchange.config(CONFIG).enabled())) {
            return Result.DECLINED;
        }
        Request request = exchange.request();
        boolean write = request.method().equals("POST");
        if (!write && !request.method().equals("GET") && !request.method().equals("HEAD")) {
            exchange.response().header("Allow", writes.isEmpty() ? "GET, HEAD" : "GET, HEAD, POST");
            return Result.status(405);
        }
        String name = below(exchange);
        if (name.startsWith("/")) {
            name = name.substring(1);
        }
        Function<String, String> args = arg -> decode(request.arg(arg));
        if (write) {
            Endpoint endpoint = writes.get(name);
            if (endpoint == null) {
                exchange.response().header("Allow", "GET, HEAD");
                return endpoints.containsKey(name) ? Result.status(405) : Result.status(404);
            }
            return Result.pending(CompletableFuture.supplyAsync(() -> answer(exchange, endpoint.apply(args))));
        }
        Endpoint endpoint = endpoints.get(name);
        return answer(exchange, endpoint == null ? null : endpoint.apply(args));
    }

    private static Result answer(HttpExchange exchange, Object value) {
        if (value == null) {
            return Result.status(404);
        }
        exchange.response().contentType("application/json").body(Json.write(value));
        return Result.OK;
    }

    private static String decode(String raw) {
        return raw == null ? null : URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }
}
