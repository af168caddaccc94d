package dev.modhttp.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Where Actuator's web endpoints are served when the engine is the application's web server, as
 * Boot serves them on its own servers:
 *
 * <ul>
 *   <li>{@code management.server.port} set and not {@code server.port}: a server of its own
 *       listening there ({@code management.server.address} too), the endpoints at
 *       {@code management.server.base-path} + {@code management.endpoints.web.base-path};</li>
 *   <li>otherwise at {@code management.endpoints.web.base-path} ({@code /actuator}) of every server
 *       without {@code listen} (those on {@code server.port}), as a {@code ^~} location after the
 *       configuration's own (a {@code ^~} prefix wins wherever it stands), unless a location of the configuration already sets
 *       {@code actuator} (then the configuration decides where they are) or has that name;</li>
 *   <li>{@code management.server.port=-1}: nowhere.</li>
 * </ul>
 *
 * The health groups' additional paths ({@code /livez}, {@code /readyz}, {@code server:/path} and
 * {@code management:/path}) are exact locations on the servers of their namespace.
 *
 * Applies with Actuator's auto-configuration on the classpath; which endpoints answer is
 * {@link ActuatorEndpoints}' affair ({@code management.endpoints.web.exposure.*}).
 */
final class ManagementServer {

    /** The property source holding the port picked for {@code management.server.port=0}. */
    static final String PICKED = "engine.management-port";

    static final boolean ACTUATOR = ClassUtils.isPresent(
            "org.springframework.boot.actuate.autoconfigure.endpoint.expose.IncludeExcludeEndpointFilter", null);

    private ManagementServer() {
    }

    /** Whether the engine serves Actuator's endpoints in {@code context}: its actuator module is there. */
    static boolean served(Object context) {
        return ACTUATOR && context instanceof ListableBeanFactory beans && beans.containsBeanDefinition("engineActuatorModule");
    }

    /**
     * Whether {@code management.server.port} gives the endpoints a server of their own, as Boot
     * decides it: set, not negative, and neither {@code server.port} (unless 0: two random ports)
     * nor 8080 while {@code server.port} is not set.
     */
    static boolean separate(Environment environment) {
        Integer port = environment.getProperty("management.server.port", Integer.class);
        Integer server = environment.getProperty("server.port", Integer.class);
        if (!ACTUATOR || port == null || port < 0) {
            return false;
        }
        return !(server == null && port == 8080 || port != 0 && port.equals(server));
    }

    /** Adds the endpoints' server or locations to {@code tree}. */
    @SuppressWarnings("unchecked")
    static void apply(Environment environment, Map<String, Object> tree) {
        String port = environment.getProperty("management.server.port");
        if (!ACTUATOR || port != null && port.startsWith("-")) {
            return;
        }
        if ("0".equals(port) && environment instanceof ConfigurableEnvironment live) {
            // a random port of its own: a second "listen 0" would be the same socket as server.port's.
            // Kept in the environment, which a reload's environment starts from, so that it stays.
            port = Integer.toString(freePort());
            live.getPropertySources().addFirst(new MapPropertySource(PICKED, Map.of("management.server.port", port)));
        }
        String base = path(environment.getProperty("management.endpoints.web.base-path", "/actuator"));
        List<Object> servers = tree.get("servers") instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
        boolean own = servers.stream().anyMatch(s -> s instanceof Map<?, ?> m && m.get("locations") instanceof List<?> ls
                && ls.stream().anyMatch(ManagementServer::setsActuator)); // the configuration decides where they are
        if (separate(environment)) {
            String address = environment.getProperty("management.server.address");
            String listen = address == null || address.isBlank() ? port
                    : (address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address) + ":" + port;
            String at = path(environment.getProperty("management.server.base-path", "")) + base;
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("listen", List.of(listen));
            List<Object> locations = new ArrayList<>(List.of(location("^~ " + (at.isEmpty() ? "/" : at))));
            additionalPaths(environment, "management").forEach(extra -> locations.add(location("= " + extra)));
            server.put("locations", locations);
            servers.add(server);
        }
        List<String> atServerPort = new ArrayList<>();
        if (!own && !separate(environment)) {
            atServerPort.add("^~ " + (base.isEmpty() ? "/" : base));
        }
        additionalPaths(environment, "server").forEach(extra -> atServerPort.add("= " + extra));
        for (int i = 0; i < servers.size(); i++) {
            if (!(servers.get(i) instanceof Map<?, ?> m) || m.get("listen") != null || own && atServerPort.isEmpty()) {
                continue;
            }
            Map<String, Object> server = new LinkedHashMap<>((Map<String, Object>) m);
            List<Object> locations = server.get("locations") instanceof List<?> ls ? new ArrayList<>(ls) : new ArrayList<>();
            for (String pattern : atServerPort) {
                String name = pattern.substring(pattern.indexOf(' ') + 1);
                if (locations.stream().noneMatch(l -> l instanceof Map<?, ?> lm && lm.get("location") instanceof String n
                        && n.replaceFirst("^(\\^~|=)\\s*", "").equals(name))) { // a location of that name answers there
                    locations.add(location(pattern)); // last: the configuration's own keep their indexes (and messages)
                }
            }
            server.put("locations", locations);
            servers.set(i, server);
        }
        if (!servers.isEmpty()) {
            tree.put("servers", servers); // none: the engine's own server on server.port, left as it is
        }
    }

    /**
     * The health groups' additional paths in {@code namespace} ({@code server} or {@code management}),
     * as Boot reads them: {@code /livez} and {@code /readyz} with
     * {@code management.endpoint.health.probes.add-additional-paths}, and each
     * {@code management.endpoint.health.group.NAME.additional-path} of the form {@code server:/path}.
     */
    static List<String> additionalPaths(Environment environment, String namespace) {
        List<String> paths = new ArrayList<>();
        if (namespace.equals("server")
                && environment.getProperty("management.endpoint.health.probes.add-additional-paths", Boolean.class, false)) {
            paths.addAll(List.of("/livez", "/readyz"));
        }
        Map<String, Object> groups = Binder.get(environment).bind("management.endpoint.health.group",
                Bindable.mapOf(String.class, Object.class)).orElse(Map.of());
        for (Object group : groups.values()) {
            if (group instanceof Map<?, ?> g && g.get("additional-path") instanceof String extra
                    && extra.startsWith(namespace + ":")) {
                paths.add(path(extra.substring(namespace.length() + 1)));
            }
        }
        return paths;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("management.server.port=0: no free port", e);
        }
    }

    private static boolean setsActuator(Object location) {
        if (!(location instanceof Map<?, ?> m)) {
            return false;
        }
        return m.get("actuator") != null || m.get("locations") instanceof List<?> nested
                && nested.stream().anyMatch(ManagementServer::setsActuator);
    }

    private static Map<String, Object> location(String pattern) {
        Map<String, Object> location = new LinkedHashMap<>();
        location.put("location", pattern);
        location.put("actuator", "on");
        return location;
    }

    /** A base path as Boot cleans it: a leading slash, none at the end, "" for the root. */
    private static String path(String p) {
        String s = p == null ? "" : p.trim();
        if (!s.isEmpty() && !s.startsWith("/")) {
            s = "/" + s;
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
