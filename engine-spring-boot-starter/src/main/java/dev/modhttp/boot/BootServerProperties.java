package dev.modhttp.boot;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.Compression;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerSslBundle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * Spring Boot's own server properties for the servers without {@code listen}, as Boot's servers
 * follow them: {@code server.ssl.*} makes them listen with {@code ssl} on {@code server.port}
 * ({@code server.ssl.bundle}; PEM files in {@code server.ssl.certificate} and
 * {@code server.ssl.certificate-private-key}, which the engine reads again when they change; or
 * anything else Boot's servers take there: a key store, a key password, {@code classpath:}
 * resources, read by Boot's {@code WebServerSslBundle}); {@code server.http2.enabled} turns
 * {@code http2} on. A key the engine's own configuration sets at main scope wins over Boot's
 * property. {@code spring.data.redis.*} (url, or host, port, username, password, database and
 * ssl.enabled) gives {@code redis.url}, where limit zones with {@code backend=redis} are kept,
 * unless the engine's own {@code redis.url} is set.
 *
 * <p>Also: {@code server.address} is the address those servers listen on ({@code server.port}
 * alone listens on every address); {@code server.max-http-request-header-size}, when set, bounds
 * a request's head as {@code large-client-header-buffers: "1 SIZE"} does (one large buffer of
 * that size for the request line and fields that do not fit the first 1k); and
 * {@code server.compression.enabled=true} turns {@code gzip} on with {@code gzip-types} from
 * {@code server.compression.mime-types} and {@code additional-mime-types} and
 * {@code gzip-min-length} from {@code server.compression.min-response-size} (Boot's defaults
 * when not set), and {@code gzip-disable} from {@code server.compression.excluded-user-agents},
 * each a whole User-Agent compared without case, as Boot's Reactor Netty server compares them.
 */
final class BootServerProperties {

    /** The name under which {@link #apply} offers a bundle Boot made from {@code server.ssl.*}. */
    static final String SERVER_SSL_BUNDLE = "server.ssl";

    /**
     * What Boot's properties give the servers without {@code listen}.
     *
     * @param listen {@code server.port}, with {@code ssl} when server.ssl.* configures TLS
     * @param serverSsl the bundle Boot made from server.ssl.* for the engine to serve as
     *     {@value #SERVER_SSL_BUNDLE}; null when the engine reads the files itself or there is none
     */
    record Applied(String listen, SslBundle serverSsl) {
    }

    private BootServerProperties() {
    }

    /**
     * Adds Boot's TLS and HTTP/2 settings to the main scope of {@code tree} where it does not set
     * them itself.
     *
     * @param bundles Boot's SSL bundles, for {@code server.ssl.bundle}; null without them
     * @param actuator whether the engine serves Actuator's endpoints ({@link ManagementServer} adds where)
     * @throws org.springframework.boot.ssl.NoSuchSslBundleException for a server.ssl.bundle Boot does not know
     */
    static Applied apply(Environment environment, Map<String, Object> tree, String serverPort, SslBundles bundles,
            boolean actuator) {
        redis(environment, tree);
        if (actuator) {
            ManagementServer.apply(environment, tree);
        }
        headerSize(environment, tree);
        compression(environment, tree);
        String address = environment.getProperty("server.address");
        if (address != null && !address.isBlank()) {
            serverPort = (address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address) + ":" + serverPort;
        }
        Ssl ssl = Binder.get(environment).bind("server.ssl", Ssl.class).orElse(null);
        boolean http2 = environment.getProperty("server.http2.enabled", Boolean.class, false);
        if (http2) {
            tree.putIfAbsent("http2", "on");
        }
        if (!Ssl.isEnabled(ssl)) {
            return new Applied(serverPort, null);
        }
        if (ssl.getBundle() != null) {
            tree.putIfAbsent("ssl-bundle", ssl.getBundle());
            return new Applied(serverPort + " ssl", null);
        }
        if (ssl.getCertificate() != null && ssl.getCertificatePrivateKey() != null && ssl.getKeyPassword() == null
                && ssl.getKeyStore() == null && isFile(ssl.getCertificate()) && isFile(ssl.getCertificatePrivateKey())) {
            tree.putIfAbsent("ssl-certificate", file(ssl.getCertificate()));
            tree.putIfAbsent("ssl-certificate-key", file(ssl.getCertificatePrivateKey()));
            return new Applied(serverPort + " ssl", null);
        }
        if (ssl.getCertificate() == null && ssl.getKeyStore() == null) {
            return new Applied(serverPort, null); // no key material: Boot's servers would not speak TLS either
        }
        tree.putIfAbsent("ssl-bundle", SERVER_SSL_BUNDLE);
        SslBundle made = bundles == null ? WebServerSslBundle.get(ssl) : WebServerSslBundle.get(ssl, bundles);
        return new Applied(serverPort + " ssl", made);
    }

    private static void headerSize(Environment environment, Map<String, Object> tree) {
        DataSize size = Binder.get(environment).bind("server.max-http-request-header-size", DataSize.class).orElse(null);
        if (size != null && !tree.containsKey("large-client-header-buffers")) {
            if (size.toBytes() < 64 || size.toBytes() > 1024 * 1024) { // the engine's bounds of a header buffer
                String property = "server.max-http-request-header-size";
                throw new EngineConfigurationException(property, environment instanceof ConfigurableEnvironment ce
                        ? EngineConfigTree.origin(ce, property) : null, "must be between 64B and 1MB for the engine", null);
            }
            tree.put("large-client-header-buffers", "1 " + size.toBytes());
        }
    }

    private static void compression(Environment environment, Map<String, Object> tree) {
        Compression c = Binder.get(environment).bind("server.compression", Compression.class).orElse(null);
        if (c == null || !c.getEnabled()) {
            return;
        }
        if (c.getExcludedUserAgents() != null && c.getExcludedUserAgents().length > 0) {
            List<String> whole = new ArrayList<>();
            for (String agent : c.getExcludedUserAgents()) {
                whole.add("^" + agent.replaceAll("([^A-Za-z0-9])", "\\\\$1") + "$"); // every other character literal
            }
            tree.putIfAbsent("gzip-disable", whole);
        }
        tree.putIfAbsent("gzip", "on");
        tree.putIfAbsent("gzip-types", List.of(c.getAllMimeTypes()));
        tree.putIfAbsent("gzip-min-length", Math.toIntExact(c.getMinResponseSize().toBytes()));
    }

    /** Sets {@code redis.url} from {@code spring.data.redis.*} where the engine's configuration does not set it. */
    @SuppressWarnings("unchecked")
    static void redis(Environment environment, Map<String, Object> tree) {
        Object own = tree.get("redis");
        if (own instanceof Map<?, ?> block && block.get("url") != null) {
            return;
        }
        String url = environment.getProperty("spring.data.redis.url");
        if (url == null) {
            String prefix = "spring.data.redis.";
            String host = environment.getProperty(prefix + "host");
            String port = environment.getProperty(prefix + "port");
            String user = environment.getProperty(prefix + "username");
            String password = environment.getProperty(prefix + "password");
            String database = environment.getProperty(prefix + "database");
            boolean ssl = environment.getProperty(prefix + "ssl.enabled", Boolean.class, false);
            if (host == null && port == null && password == null && database == null && !ssl) {
                return; // Spring's defaults are the engine's: redis://localhost:6379
            }
            String userInfo = password == null ? "" : (user == null ? "" : encode(user)) + ":" + encode(password) + "@";
            url = (ssl ? "rediss://" : "redis://") + userInfo + (host == null ? "localhost" : host) + ":"
                    + (port == null ? "6379" : port) + (database == null ? "" : "/" + database);
        }
        Map<String, Object> block = own instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m)
                : new LinkedHashMap<>();
        block.put("url", url);
        tree.put("redis", block);
    }

    private static String encode(String userInfoPart) {
        return URLEncoder.encode(userInfoPart, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Whether a Boot resource location names a file the engine can watch (a plain path or {@code file:}). */
    private static boolean isFile(String location) {
        return location.startsWith("file:") || !location.contains(":") || location.matches("[A-Za-z]:[\\\\/].*");
    }

    /** A Boot resource location as a file path ({@code file:} dropped). */
    private static String file(String location) {
        return location.startsWith("file:") ? location.substring(5) : location;
    }
}
