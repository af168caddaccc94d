package dev.modhttp.boot;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.phase.Result;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.CorsEndpointProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.web.cors.CorsConfiguration;

/**
 * Boot's {@code management.endpoints.web.cors.*} for the endpoints the engine serves, decided by
 * spring-web's {@link CorsConfiguration} (the one Boot's servers build from the same properties)
 * and answered as Spring's {@code DefaultCorsProcessor} answers: a cross-origin request from an
 * origin, with a method or (preflight) header fields the configuration does not allow, gets 403
 * "Invalid CORS request"; a preflight ({@code OPTIONS} with {@code Access-Control-Request-Method})
 * is answered 200 with the {@code Access-Control-Allow-*} fields and {@code Max-Age}; an allowed
 * request goes on with {@code Access-Control-Allow-Origin}, {@code -Allow-Credentials} and
 * {@code -Expose-Headers}. Every answer varies by {@code Origin} and the two request fields.
 *
 * <p>Without {@code allowed-origins} or {@code allowed-origin-patterns} there is no CORS, as in
 * Boot. spring-web comes with the starter (through {@code spring-boot-web-server}).
 */
final class ActuatorCors {

    static final String PROPERTY = "management.endpoints.web.cors";

    private final CorsConfiguration config;

    private ActuatorCors(CorsConfiguration config) {
        this.config = config;
    }

    /** The configuration the environment sets, or null when it sets no origin. */
    static ActuatorCors of(Environment environment) {
        CorsEndpointProperties properties = Binder.get(environment).bind(PROPERTY, CorsEndpointProperties.class).orElse(null);
        if (properties == null || properties.getAllowedOrigins().isEmpty() && properties.getAllowedOriginPatterns().isEmpty()) {
            return null;
        }
        return new ActuatorCors(properties.toCorsConfiguration());
    }

    /**
     * Applies the configuration to {@code exchange}: null when the request goes on (not
     * cross-origin, or allowed), else the answer (a preflight's 200, or 403).
     */
    Result apply(HttpExchange exchange) {
        Request request = exchange.request();
        String origin = request.header("Origin");
        if (origin == null) {
            return null;
        }
        exchange.response().header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        if (sameOrigin(request, origin)) {
            return null;
        }
        String requested = request.header("Access-Control-Request-Method");
        boolean preflight = request.method().equals("OPTIONS") && requested != null;
        String allowOrigin = config.checkOrigin(origin);
        List<HttpMethod> methods = config.checkHttpMethod(HttpMethod.valueOf(preflight ? requested : request.method()));
        List<String> headers = preflight ? config.checkHeaders(requestedHeaders(request)) : List.of();
        if (allowOrigin == null || methods == null || headers == null) {
            exchange.response().status(403).contentType("text/plain").body("Invalid CORS request");
            return Result.OK;
        }
        exchange.response().header("Access-Control-Allow-Origin", allowOrigin);
        if (Boolean.TRUE.equals(config.getAllowCredentials())) {
            exchange.response().header("Access-Control-Allow-Credentials", "true");
        }
        if (!preflight) {
            List<String> exposed = config.getExposedHeaders();
            if (exposed != null && !exposed.isEmpty()) {
                exchange.response().header("Access-Control-Expose-Headers", String.join(", ", exposed));
            }
            return null;
        }
        exchange.response().header("Access-Control-Allow-Methods", String.join(",", methods.stream().map(HttpMethod::name)
                .toList()));
        if (!headers.isEmpty()) {
            exchange.response().header("Access-Control-Allow-Headers", String.join(", ", headers));
        }
        if (config.getMaxAge() != null) {
            exchange.response().header("Access-Control-Max-Age", Long.toString(config.getMaxAge()));
        }
        exchange.response().status(200);
        return Result.OK;
    }

    private static List<String> requestedHeaders(Request request) {
        List<String> out = new ArrayList<>();
        for (String field : request.headers().getAll("Access-Control-Request-Headers")) {
            for (String name : field.split(",")) {
                if (!name.isBlank()) {
                    out.add(name.trim());
                }
            }
        }
        return out;
    }

    /** Whether {@code origin} is the request's own scheme, host and port (Spring's CorsUtils.isCorsRequest). */
    private static boolean sameOrigin(Request request, String origin) {
        String host = request.header("Host");
        if (host == null) {
            return false;
        }
        try {
            URI from = URI.create(origin);
            URI to = URI.create((request.secure() ? "https" : "http") + "://" + host);
            return from.getScheme() != null && from.getScheme().toLowerCase(Locale.ROOT).equals(to.getScheme())
                    && to.getHost() != null && to.getHost().equalsIgnoreCase(from.getHost()) && port(from) == port(to);
        } catch (IllegalArgumentException e) {
            return false; // a malformed Origin: the configuration decides (it matches no allowed origin)
        }
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    }
}
