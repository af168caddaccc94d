package dev.modhttp.boot;

import dev.modhttp.engine.core.SslBundleSource;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Spring Boot's SSL bundles ({@code spring.ssl.bundle.pem.*}, {@code spring.ssl.bundle.jks.*})
 * as the engine's {@code ssl-bundle} source: the bundle's key managers, protocols and ciphers;
 * a bundle that Boot reloads ({@code reload-on-update: true}) serves new handshakes from then on.
 */
final class BootSslBundles implements SslBundleSource {

    private final SslBundles bundles;
    private final SslBundle serverSsl;

    /**
     * @param bundles Boot's bundles; null without them
     * @param serverSsl the bundle Boot made from server.ssl.*, served as
     *     {@value BootServerProperties#SERVER_SSL_BUNDLE}; null for none
     */
    BootSslBundles(SslBundles bundles, SslBundle serverSsl) {
        this.bundles = bundles;
        this.serverSsl = serverSsl;
    }

    @Override
    public Material get(String name) {
        SslBundle bundle;
        try {
            if (serverSsl != null && name.equals(BootServerProperties.SERVER_SSL_BUNDLE)) {
                bundle = serverSsl;
            } else if (bundles == null) {
                throw new NoSuchSslBundleException(name, "no SSL bundles are configured");
            } else {
                bundle = bundles.getBundle(name);
            }
        } catch (NoSuchSslBundleException e) {
            throw new IllegalArgumentException("no SSL bundle '" + name + "' (spring.ssl.bundle.pem." + name
                    + ".keystore.* or spring.ssl.bundle.jks." + name + ".keystore.*; known: "
                    + (bundles == null ? "none" : bundles.getBundleNames())
                    + ")", e);
        }
        return new Material(bundle.getManagers().getKeyManagerFactory(), list(bundle.getOptions().getEnabledProtocols()),
                list(bundle.getOptions().getCiphers()));
    }

    @Override
    public void onChange(String name, Runnable onChange) {
        if (bundles != null && !(serverSsl != null && name.equals(BootServerProperties.SERVER_SSL_BUNDLE))) {
            bundles.addBundleUpdateHandler(name, updated -> onChange.run());
        }
    }

    private static List<String> list(String[] values) {
        return values == null ? List.of() : Arrays.asList(values);
    }
}
