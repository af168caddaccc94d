package dev.modhttp.engine.core;

import java.util.List;
import java.util.Set;

/**
 * nginx's ssl module directives, at main or server scope, for servers on a {@code listen} with
 * the {@code ssl} parameter.
 *
 * <table>
 *   <caption>Keys, scopes and defaults</caption>
 *   <tr><th>key</th><th>scopes</th><th>default</th></tr>
 *   <tr><td>ssl-certificate</td><td>main, server</td><td>none: a PEM certificate chain, the server's first</td></tr>
 *   <tr><td>ssl-certificate-key</td><td>main, server</td><td>none: its PEM private key (PKCS#8, unencrypted)</td></tr>
 *   <tr><td>ssl-protocols</td><td>main, server</td><td>[TLSv1.2, TLSv1.3]</td></tr>
 *   <tr><td>ssl-client-certificate</td><td>main, server</td><td>none: PEM CA certificates that verify client
 *       certificates, also named to clients as the acceptable issuers</td></tr>
 *   <tr><td>ssl-trusted-certificate</td><td>main, server</td><td>none: more PEM CA certificates that verify
 *       client certificates, not named to clients</td></tr>
 *   <tr><td>ssl-verify-client</td><td>main, server</td><td>off; on, optional, optional_no_ca ({@link VerifyClient})</td></tr>
 *   <tr><td>ssl-verify-depth</td><td>main, server</td><td>1: certificates a client chain may have above the client's</td></tr>
 *   <tr><td>ssl-bundle</td><td>main, server</td><td>none: a named bundle of key material instead of the two
 *       files ({@link SslBundleSource}; with the starter, Spring Boot's {@code spring.ssl.bundle.*})</td></tr>
 * </table>
 */
public record SslConfig(String sslCertificate, String sslCertificateKey, List<String> sslProtocols, String sslBundle,
        String sslClientCertificate, String sslTrustedCertificate, VerifyClient sslVerifyClient, Integer sslVerifyDepth) {

    /**
     * nginx's {@code ssl_verify_client}: {@code on} requires a client certificate that verifies
     * (none: 496, not verified: 495, both answered with nginx's 400 pages), {@code optional}
     * takes a request without one, {@code optional_no_ca} also one that does not verify
     * ({@code $ssl_client_verify} tells).
     */
    public enum VerifyClient { OFF, ON, OPTIONAL, OPTIONAL_NO_CA }

    /** The protocol names {@code ssl-protocols} takes (the JDK provider's). */
    public static final Set<String> PROTOCOLS = Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    public static final SslConfig DEFAULTS = new SslConfig(null, null, List.of("TLSv1.2", "TLSv1.3"), null, null, null,
            VerifyClient.OFF, 1);

    public SslConfig {
        if (sslVerifyDepth != null && sslVerifyDepth < 0) {
            throw new IllegalArgumentException("ssl-verify-depth cannot be negative");
        }
        if (sslProtocols != null) {
            if (sslProtocols.isEmpty()) {
                throw new IllegalArgumentException("ssl-protocols needs at least one protocol");
            }
            for (String p : sslProtocols) {
                if (!PROTOCOLS.contains(p)) {
                    throw new IllegalArgumentException("'" + p + "' is not a protocol ssl-protocols knows " + PROTOCOLS);
                }
            }
        }
    }
}
