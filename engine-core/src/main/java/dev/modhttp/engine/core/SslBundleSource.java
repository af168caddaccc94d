package dev.modhttp.engine.core;

import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * Key material by name, for servers that set {@code ssl-bundle} instead of
 * {@code ssl-certificate} and {@code ssl-certificate-key}. The starter serves Spring Boot's SSL
 * bundles ({@code spring.ssl.bundle.pem.*}, {@code .jks.*}) through it; without one, a server
 * with {@code ssl-bundle} fails startup.
 */
public interface SslBundleSource {

    /**
     * The bundle named {@code name}.
     *
     * @throws IllegalArgumentException when there is no such bundle or it cannot be loaded (the
     *     message says why; startup fails naming the server and key)
     */
    Material get(String name);

    /** Calls {@code onChange} each time the bundle named {@code name} changes (Boot's {@code reload-on-update}). */
    default void onChange(String name, Runnable onChange) {
    }

    /**
     * A bundle's key material and options.
     *
     * @param keyManagers the server's keys and certificate chains (one or several, chosen per handshake)
     * @param protocols the protocols the bundle allows; empty for the server's {@code ssl-protocols}
     * @param ciphers the cipher suites the bundle allows; empty for the provider's defaults
     */
    record Material(KeyManagerFactory keyManagers, List<String> protocols, List<String> ciphers) {
        public Material {
            protocols = List.copyOf(protocols);
            ciphers = List.copyOf(ciphers);
        }
    }
}
