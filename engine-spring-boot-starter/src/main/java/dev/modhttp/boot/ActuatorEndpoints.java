package dev.modhttp.boot;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.modules.actuator.ActuatorModule;
import dev.modhttp.engine.phase.Result;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.IncludeExcludeEndpointFilter;
import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.actuate.endpoint.EndpointFilter;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationArgumentResolver;
import org.springframework.boot.actuate.endpoint.OperationFilter;
import org.springframework.boot.actuate.endpoint.ProducibleOperationArgumentResolver;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.ParameterValueMapper;
import org.springframework.boot.actuate.endpoint.invoke.convert.ConversionServiceParameterValueMapper;
import org.springframework.boot.actuate.endpoint.jackson.EndpointJsonMapper;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.EndpointLinksResolver;
import org.springframework.boot.actuate.endpoint.web.EndpointMediaTypes;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMapper;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.actuate.endpoint.web.WebOperationRequestPredicate;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpointDiscoverer;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Boot Actuator's web endpoints served by the engine, as Boot's own servers serve them,
 * at a location with {@code actuator: on} (the starter adds one: {@link ManagementServer}).
 *
 * <ul>
 *   <li>Which endpoints: Boot's discovery of {@code @Endpoint} beans with its rules:
 *       {@code management.endpoints.web.exposure.include/exclude} (default {@code health}),
 *       {@code management.endpoint.NAME.access}, {@code management.endpoints.web.path-mapping.*};
 *       with a web application's own discoverer, that one.</li>
 *   <li>Requests: the operation whose path ({@code metrics/{requiredMetricName}},
 *       {@code health/{*path}}) and method match; query arguments and a JSON body are its
 *       arguments; {@code Accept} chooses what an operation produces (Prometheus' text formats,
 *       the actuator's API versions). The location itself answers the links, as {@code /actuator}
 *       does.</li>
 *   <li>Responses: Boot's statuses (404 for a read with no result, 204 for a write without one, 400
 *       for a missing or invalid argument, 405 for a path with no operation of the method); bodies
 *       as JSON through the actuator's {@code EndpointJsonMapper} (Jackson), text and bytes as
 *       they are. The default type for {@code Accept: *}{@code /*} is Boot's,
 *       {@code application/vnd.spring-boot.actuator.v3+json}.</li>
 * </ul>
 *
 * Discovery happens at the first request, since endpoints may depend on the engine. Operations run
 * on the engine's blocking executor.
 */
final class ActuatorEndpoints implements ActuatorModule.Dispatcher {

    private final ApplicationContext context;
    private final Environment environment;
    private final WebServerNamespace namespace;
    /**
     * Whether the base path answers the links: as Boot decides it, when discovery is on and the
     * endpoints have a base path or a server of their own (not at "/" of the application's port).
     */
    private final boolean links;
    private volatile Discovered discovered;
    /** local.management.port, once known. */
    private volatile Integer managementPort;
    /** management.endpoints.web.cors.*, or null without an allowed origin. */
    private final ActuatorCors cors;
    /** Boot's error timestamps ({@code 2026-12-02T02:30:00.123+00:00}). */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx");

    /** @param additional per namespace, the endpoint each health group's additional path (/livez) belongs to */
    private record Discovered(Collection<ExposableWebEndpoint> endpoints, JsonMapper json,
            Map<WebServerNamespace, Map<String, ExposableWebEndpoint>> additional) {
    }

    /**
     * @param namespace {@code MANAGEMENT} when {@code management.server.port} gives the endpoints a
     *     server of their own (requests to it are in that namespace, the others in {@code SERVER}), else
     *     {@code SERVER}
     */
    ActuatorEndpoints(ApplicationContext context, Environment environment, WebServerNamespace namespace) {
        this.context = context;
        this.environment = environment;
        this.namespace = namespace;
        String base = environment.getProperty("management.endpoints.web.base-path", "/actuator").trim();
        this.links = environment.getProperty("management.endpoints.web.discovery.enabled", Boolean.class, true)
                && (!base.isEmpty() && !base.equals("/") || namespace == WebServerNamespace.MANAGEMENT);
        this.cors = ActuatorCors.of(environment);
    }

    @Override
    public Result dispatch(HttpExchange exchange, String path) throws Exception {
        Discovered d = discovered();
        Result crossOrigin = cors == null ? null : cors.apply(exchange);
        if (crossOrigin != null) {
            return crossOrigin;
        }
        Request request = exchange.request();
        String method = request.isHead() ? "GET" : request.method();
        Map<String, Object> query = new LinkedHashMap<>();
        List<MimeType> accepted;
        try {
            queryArguments(request.args(), query);
            accepted = accepted(request);
        } catch (IllegalArgumentException e) { // a malformed escape, or Accept: InvalidMimeTypeException is one
            return e instanceof InvalidMimeTypeException ? answer(exchange, 406)
                    : failure(exchange, d, 400, "malformed query string: " + e.getMessage());
        }
        WebServerNamespace ns = namespace(request);
        String uri = request.uri().length() > 1 && request.uri().endsWith("/")
                ? request.uri().substring(0, request.uri().length() - 1) : request.uri();
        ExposableWebEndpoint extra = d.additional().getOrDefault(ns, Map.of()).get(uri);
        if (extra != null) { // a health group's additional path (/livez)
            return additional(exchange, d, extra, uri, method, accepted, ns);
        }
        if (path.isEmpty() || path.equals("/")) {
            if (!links) {
                return failure(exchange, d, 404, null);
            }
            if (!method.equals("GET")) {
                exchange.response().header("Allow", "GET, HEAD");
                return method.equals("OPTIONS") ? answer(exchange, 200) : failure(exchange, d, 405, null);
            }
            String host = request.header("Host"); // with its port, as the client reached the server
            if (host == null || host.isEmpty()) { // HTTP/1.0 without Host: the address it came to
                InetSocketAddress local = request.localAddress();
                host = local.getAddress().getHostAddress() + ":" + local.getPort();
                host = host.contains(":") && host.indexOf(':') != host.lastIndexOf(':') ? "[" + host.substring(0,
                        host.lastIndexOf(':')) + "]" + host.substring(host.lastIndexOf(':')) : host;
            }
            String self = (request.secure() ? "https" : "http") + "://" + host + (uri.equals("/") ? "" : uri);
            String type = negotiate(EndpointMediaTypes.DEFAULT.getProduced(), accepted);
            return type == null ? answer(exchange, 406) : body(exchange, d,
                    Map.of("_links", new EndpointLinksResolver(d.endpoints()).resolveLinks(self)), type);
        }
        String[] segments = path.substring(1).split("/", -1);
        Set<String> allowed = new TreeSet<>();
        for (boolean remaining : new boolean[] {false, true}) { // "health" before "health/{*path}"
            for (ExposableWebEndpoint endpoint : d.endpoints()) {
                for (WebOperation operation : endpoint.getOperations()) {
                    WebOperationRequestPredicate predicate = operation.getRequestPredicate();
                    if ((predicate.getMatchAllRemainingPathSegmentsVariable() != null) != remaining) {
                        continue;
                    }
                    Map<String, Object> arguments = match(predicate.getPath(), segments);
                    if (arguments == null) {
                        continue;
                    }
                    if (!predicate.getHttpMethod().name().equals(method)) {
                        allowed.add(predicate.getHttpMethod().name());
                        continue;
                    }
                    String type = negotiate(predicate.getProduces(), accepted);
                    if (type == null) {
                        return answer(exchange, 406);
                    }
                    arguments.putAll(query); // as Boot's servers: the query's arguments over the body's
                    return invoke(exchange, d, operation, arguments, query.keySet(), type, ns);
                }
            }
        }
        if (allowed.isEmpty()) {
            return failure(exchange, d, 404, null);
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        exchange.response().header("Allow", String.join(", ", allowed));
        return method.equals("OPTIONS") ? answer(exchange, 200) : failure(exchange, d, 405, null);
    }

    /** A request to {@code extra}: the endpoint's read operation over the rest of the path, with the path's segments. */
    private Result additional(HttpExchange exchange, Discovered d, ExposableWebEndpoint endpoint, String extra, String method,
            List<MimeType> accepted, WebServerNamespace ns) throws IOException {
        for (WebOperation operation : endpoint.getOperations()) {
            WebOperationRequestPredicate predicate = operation.getRequestPredicate();
            String rest = predicate.getMatchAllRemainingPathSegmentsVariable();
            if (rest == null || !predicate.getHttpMethod().name().equals("GET")) {
                continue;
            }
            if (!method.equals("GET")) {
                exchange.response().header("Allow", "GET, HEAD");
                return method.equals("OPTIONS") ? answer(exchange, 200) : failure(exchange, d, 405, null);
            }
            String type = negotiate(predicate.getProduces(), accepted);
            if (type == null) {
                return answer(exchange, 406);
            }
            Map<String, Object> arguments = new LinkedHashMap<>();
            arguments.put(rest, Arrays.stream(extra.split("/")).filter(x -> !x.isEmpty()).toArray(String[]::new));
            return invoke(exchange, d, operation, arguments, Set.of(), type, ns);
        }
        return failure(exchange, d, 404, null);
    }

    /** MANAGEMENT for a request to the management server (management.server.port), else SERVER. */
    private WebServerNamespace namespace(Request request) {
        if (namespace != WebServerNamespace.MANAGEMENT) {
            return WebServerNamespace.SERVER;
        }
        Integer management = managementPort;
        if (management == null) { // published once the management server listens; a reload keeps its port
            management = environment.getProperty("local.management.port", Integer.class);
            managementPort = management;
        }
        return management != null && management == request.localAddress().getPort() ? WebServerNamespace.MANAGEMENT
                : WebServerNamespace.SERVER;
    }

    private Result invoke(HttpExchange exchange, Discovered d, WebOperation operation, Map<String, Object> arguments,
            Set<String> fromQuery, String type, WebServerNamespace ns) throws IOException {
        Request request = exchange.request();
        if (request.hasBody() && !request.method().equals("GET")) {
            String contentType = request.header("Content-Type");
            if (contentType == null || !isJson(contentType)) {
                return failure(exchange, d, 415, null); // Boot's servers take JSON bodies only
            }
            try {
                d.json().readValue(request.bodyAsString(), Map.class).forEach((k, v) -> {
                    if (!fromQuery.contains((String) k)) {
                        arguments.put((String) k, v);
                    }
                });
            } catch (RuntimeException notAnObject) {
                return failure(exchange, d, 400, "the body is not a JSON object");
            }
        }
        List<String> accept = request.headers().getAll("Accept");
        InvocationContext invocation = new InvocationContext(SecurityContext.NONE, arguments,
                OperationArgumentResolver.of(WebServerNamespace.class, () -> ns),
                new ProducibleOperationArgumentResolver(() -> accept));
        Object result;
        try {
            result = operation.invoke(invocation);
        } catch (InvalidEndpointRequestException e) {
            return failure(exchange, d, 400, e.getReason());
        }
        if (result == null) {
            return answer(exchange, request.isHead() || request.method().equals("GET") ? 404 : 204);
        }
        int status = 200;
        MimeType contentType = null;
        if (result instanceof WebEndpointResponse<?> r) {
            status = r.getStatus();
            contentType = r.getContentType();
            result = r.getBody();
        }
        if (result == null) {
            return answer(exchange, status);
        }
        exchange.response().status(status);
        return body(exchange, d, result, contentType != null ? contentType.toString() : type);
    }

    private static boolean isJson(String contentType) {
        try {
            MimeType t = MimeTypeUtils.parseMimeType(contentType);
            return t.getSubtype().equals("json") || t.getSubtype().endsWith("+json");
        } catch (InvalidMimeTypeException e) {
            return false;
        }
    }

    /** The request's Accept header, parsed; empty when it has none (anything goes). */
    private static List<MimeType> accepted(Request request) {
        List<MimeType> accepted = new ArrayList<>();
        for (String a : request.headers().getAll("Accept")) {
            accepted.addAll(MimeTypeUtils.parseMimeTypes(a));
        }
        return accepted;
    }

    /**
     * The one of {@code produces} the request accepts best (highest q, then the operation's order),
     * as Spring MVC negotiates; the first with no Accept; null when none is acceptable (406).
     */
    static String negotiate(Collection<String> produces, List<MimeType> accepted) {
        if (produces.isEmpty()) {
            return "application/json";
        }
        if (accepted.isEmpty()) {
            return produces.iterator().next();
        }
        String best = null;
        double bestQ = 0;
        for (String p : produces) {
            MimeType produced = MimeTypeUtils.parseMimeType(p);
            double q = 0;
            for (MimeType a : accepted) {
                if (a.includes(produced)) {
                    q = Math.max(q, quality(a));
                }
            }
            if (q > bestQ) {
                best = p;
                bestQ = q;
            }
        }
        return best;
    }

    private static double quality(MimeType type) {
        String q = type.getParameter("q");
        try {
            return q == null ? 1 : Double.parseDouble(q);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Result body(HttpExchange exchange, Discovered d, Object result, String type) throws IOException {
        byte[] bytes;
        if (result instanceof byte[] b) {
            bytes = b;
        } else if (result instanceof CharSequence text) {
            bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        } else if (result instanceof Resource resource) {
            if (resource.isFile()) { // a heap dump, a log file: sent from the file, not through memory
                exchange.response().contentType(type).file(resource.getFile().toPath(), 0, resource.contentLength());
                return Result.OK;
            }
            bytes = resource.getContentAsByteArray();
        } else {
            bytes = d.json().writeValueAsBytes(result);
        }
        exchange.response().contentType(type).body(bytes);
        return Result.OK;
    }

    /** {@code status} without a body, as Boot's endpoint adapters answer a 406, an empty read (404) or write (204). */
    private static Result answer(HttpExchange exchange, int status) {
        exchange.response().status(status);
        return Result.OK;
    }

    /**
     * Boot's error answer for {@code status}: its JSON attributes ({@code timestamp}, {@code status},
     * {@code error}, {@code path}, and {@code message} when {@code server.error.include-message=always}),
     * or, for a client asking for {@code text/html} (a browser), the engine's error page where Boot
     * would render its HTML one.
     */
    private Result failure(HttpExchange exchange, Discovered d, int status, String reason) {
        String accept = exchange.request().header("Accept");
        if (accept != null && accept.contains("text/html")) {
            return Result.status(status);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("timestamp", OffsetDateTime.now().format(TIMESTAMP));
        body.put("status", status);
        body.put("error", switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            default -> "Unsupported Media Type";
        });
        if (reason != null && "always".equalsIgnoreCase(environment.getProperty("server.error.include-message"))) {
            body.put("message", reason);
        }
        body.put("path", exchange.request().uri());
        exchange.response().status(status).contentType("application/json").body(d.json().writeValueAsBytes(body));
        return Result.OK;
    }

    /** The path variables of {@code pattern} ({@code name/{x}/{*rest}}) in {@code segments}, or null when it does not match. */
    static Map<String, Object> match(String pattern, String[] segments) {
        String[] parts = pattern.split("/");
        Map<String, Object> variables = new LinkedHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("{*")) {
                String[] rest = Arrays.copyOfRange(segments, Math.min(i, segments.length), segments.length);
                variables.put(part.substring(2, part.length() - 1),
                        Arrays.stream(rest).filter(s -> !s.isEmpty()).toArray(String[]::new));
                return variables;
            }
            if (i >= segments.length || segments[i].isEmpty()) {
                return null;
            }
            if (part.startsWith("{")) {
                variables.put(part.substring(1, part.length() - 1), segments[i]);
            } else if (!part.equals(segments[i])) {
                return null;
            }
        }
        return parts.length == segments.length ? variables : null;
    }

    /** The query's arguments, decoded; a name given more than once has the list of its values, as Boot's servers give it. */
    @SuppressWarnings("unchecked")
    static void queryArguments(String query, Map<String, Object> into) {
        if (query.isEmpty()) {
            return;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            Object known = into.get(name);
            if (known == null) {
                into.put(name, value);
            } else if (known instanceof List<?> list) {
                ((List<Object>) list).add(value);
            } else {
                into.put(name, new ArrayList<>(List.of(known, value)));
            }
        }
    }

    private Discovered discovered() {
        Discovered d = discovered;
        if (d == null) {
            synchronized (this) {
                d = discovered;
                if (d == null) {
                    discovered = d = discover();
                }
            }
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    private Discovered discover() {
        Binder binder = Binder.get(environment);
        Map<String, String> pathMapping = binder.bind("management.endpoints.web.path-mapping",
                Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        List<EndpointFilter<ExposableWebEndpoint>> filters = new ArrayList<>();
        filters.add(new IncludeExcludeEndpointFilter<>(ExposableWebEndpoint.class, environment,
                "management.endpoints.web.exposure", "health"));
        ObjectProvider<EndpointFilter<ExposableWebEndpoint>> more = (ObjectProvider<EndpointFilter<ExposableWebEndpoint>>)
                (ObjectProvider<?>) context.getBeanProvider(
                        ResolvableType.forClassWithGenerics(EndpointFilter.class, ExposableWebEndpoint.class));
        more.orderedStream().forEach(filters::add);
        List<OperationFilter<WebOperation>> operationFilters = new ArrayList<>();
        context.getBeanProvider(EndpointAccessResolver.class).ifAvailable(r -> operationFilters.add(OperationFilter.byAccess(r)));
        WebEndpointDiscoverer discoverer = new WebEndpointDiscoverer(context,
                context.getBeanProvider(ParameterValueMapper.class).getIfAvailable(ConversionServiceParameterValueMapper::new),
                context.getBeanProvider(EndpointMediaTypes.class).getIfAvailable(() -> EndpointMediaTypes.DEFAULT),
                List.<PathMapper>of(id -> pathMapping.get(id.toString())), // path-mapping.NAME, as Boot's mapper reads it
                context.getBeanProvider(AdditionalPathsMapper.class).orderedStream().toList(),
                context.getBeanProvider(OperationInvokerAdvisor.class).orderedStream().toList(),
                filters, operationFilters);
        JsonMapper json = context.getBeanProvider(EndpointJsonMapper.class).getIfAvailable(() -> () ->
                context.getBeanProvider(JsonMapper.class).getIfAvailable(JsonMapper::new)).get();
        Collection<ExposableWebEndpoint> endpoints = discoverer.getEndpoints();
        Map<WebServerNamespace, Map<String, ExposableWebEndpoint>> additional = new LinkedHashMap<>();
        for (WebServerNamespace ns : List.of(WebServerNamespace.SERVER, WebServerNamespace.MANAGEMENT)) {
            Map<String, ExposableWebEndpoint> paths = new LinkedHashMap<>();
            endpoints.forEach(e -> e.getAdditionalPaths(ns).forEach(p -> paths.put(p, e)));
            additional.put(ns, paths);
        }
        return new Discovered(endpoints, json, additional);
    }
}
