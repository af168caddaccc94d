package dev.modhttp.boot;

import java.util.Map;
import org.springframework.core.env.Environment;

/**
 * Spring Boot's own server properties for the servers without {@code listen}, as Boot's servers
 * follow them: {@code server.ssl.bundle} (or {@code server.ssl.certificate} and
 * {@code server.ssl.certificate-private-key}, PEM) makes them listen with {@code ssl} on
 * {@code server.port}; {@code server.http2.enabled} turns {@code http2} on. A key the engine's
 * own configuration sets at main scope wins over Boot's property.
 */
final class BootServerProperties {

    private BootServerProperties() {
    }

    /**
     * Adds Boot's TLS and HTTP/2 settings to the main scope of {@code tree} where it does not set
     * them itself.
     *
     * @return the listen of servers without one: {@code server.port}, with {@code ssl} when
     *     Boot's server.ssl.* configures TLS
     */
    static String apply(Environment environment, Map<String, Object> tree, String serverPort) {
        boolean sslEnabled = environment.getProperty("server.ssl.enabled", Boolean.class, true);
        String bundle = environment.getProperty("server.ssl.bundle");
        String certificate = environment.getProperty("server.ssl.certificate");
        String key = environment.getProperty("server.ssl.certificate-private-key");
        boolean ssl = false;
        if (sslEnabled && bundle != null) {
            tree.putIfAbsent("ssl-bundle", bundle);
            ssl = true;
        } else if (sslEnabled && certificate != null && key != null) {
            tree.putIfAbsent("ssl-certificate", file(certificate));
            tree.putIfAbsent("ssl-certificate-key", file(key));
            ssl = true;
        }
        if (environment.getProperty("server.http2.enabled", Boolean.class, false)) {
            tree.putIfAbsent("http2", "on");
        }
        return ssl ? serverPort + " ssl" : serverPort;
    }

    /** A Boot resource location as a file path ({@code file:} dropped); {@code classpath:} is not a file the engine reads. */
    private static String file(String location) {
        return location.startsWith("file:") ? location.substring(5) : location;
    }
}
