package dev.modhttp.engine.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * nginx's ssl module directives, at main or server scope, for servers on a {@code listen} with
 * the {@code ssl} parameter.
 *
 * <table>
 *   <caption>Keys, scopes and defaults</caption>
 *   <tr><th>key</th><th>scopes</th><th>default</th></tr>
 *   <tr><td>ssl-certificate</td><td>main, server</td><td>none: PEM certificate chains, the server's first; several
 *       (a list) for several key types, such as an RSA and an ECDSA one</td></tr>
 *   <tr><td>ssl-certificate-key</td><td>main, server</td><td>none: the PEM private key of each certificate, in the same
 *       order (PKCS#8, PKCS#1 or SEC1, also encrypted)</td></tr>
 *   <tr><td>ssl-password-file</td><td>main, server</td><td>none: a file of passwords for encrypted keys, one per line,
 *       each tried in turn</td></tr>
 *   <tr><td>ssl-protocols</td><td>main, server</td><td>[TLSv1.2, TLSv1.3]</td></tr>
 *   <tr><td>ssl-ciphers</td><td>main, server</td><td>none: ECDHE with AEAD; else OpenSSL's cipher list format for
 *       TLSv1.2 and older ({@code ECDHE-RSA-AES128-GCM-SHA256:...}; keywords such as {@code HIGH:!aNULL} with OpenSSL only);
 *       TLS 1.3 keeps its three suites, as in nginx</td></tr>
 *   <tr><td>ssl-prefer-server-ciphers</td><td>main, server</td><td>on (nginx: off): the server's order of cipher suites
 *       decides; testssl.sh marks a server without its own order "NOT ok"</td></tr>
 *   <tr><td>ssl-session-cache</td><td>main, server</td><td>none; off, builtin[:sessions], shared:name:size
 *       ({@link SslSessionCache})</td></tr>
 *   <tr><td>ssl-session-timeout</td><td>main, server</td><td>5m: how long a session (cached or in a ticket) may be resumed</td></tr>
 *   <tr><td>ssl-session-tickets</td><td>main, server</td><td>on: sessions resume from tickets (RFC 5077, TLS 1.3 PSK)
 *       encrypted with keys made at startup</td></tr>
 *   <tr><td>ssl-client-certificate</td><td>main, server</td><td>none: PEM CA certificates that verify client
 *       certificates, also named to clients as the acceptable issuers</td></tr>
 *   <tr><td>ssl-trusted-certificate</td><td>main, server</td><td>none: more PEM CA certificates that verify
 *       client certificates, not named to clients</td></tr>
 *   <tr><td>ssl-verify-client</td><td>main, server</td><td>off; on, optional, optional_no_ca ({@link VerifyClient})</td></tr>
 *   <tr><td>ssl-verify-depth</td><td>main, server</td><td>1: certificates a client chain may have above the client's</td></tr>
 *   <tr><td>ssl-bundle</td><td>main, server</td><td>none: a named bundle of key material instead of the
 *       files ({@link SslBundleSource}; with the starter, Spring Boot's {@code spring.ssl.bundle.*})</td></tr>
 * </table>
 */
public record SslConfig(List<String> sslCertificate, List<String> sslCertificateKey, String sslPasswordFile,
        List<String> sslProtocols, String sslCiphers, Boolean sslPreferServerCiphers, SslSessionCache sslSessionCache,
        Duration sslSessionTimeout, Boolean sslSessionTickets, String sslBundle, String sslClientCertificate,
        String sslTrustedCertificate, VerifyClient sslVerifyClient, Integer sslVerifyDepth) {

    /**
     * nginx's {@code ssl_verify_client}: {@code on} requires a client certificate that verifies
     * (none: 496, not verified: 495, both answered with nginx's 400 pages), {@code optional}
     * takes a request without one, {@code optional_no_ca} also one that does not verify
     * ({@code $ssl_client_verify} tells).
     */
    public enum VerifyClient { OFF, ON, OPTIONAL, OPTIONAL_NO_CA }

    /** The protocol names {@code ssl-protocols} takes (the JDK provider's). */
    public static final Set<String> PROTOCOLS = Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    public static final SslConfig DEFAULTS = new SslConfig(null, null, null, List.of("TLSv1.2", "TLSv1.3"), null, true,
            SslSessionCache.NONE, Duration.ofMinutes(5), true, null, null, null, VerifyClient.OFF, 1);

    public SslConfig {
        if (sslVerifyDepth != null && sslVerifyDepth < 0) {
            throw new IllegalArgumentException("ssl-verify-depth cannot be negative");
        }
        if (sslSessionTimeout != null && (sslSessionTimeout.isNegative() || sslSessionTimeout.toSeconds() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("ssl-session-timeout must be between 0 and " + Integer.MAX_VALUE + " seconds");
        }
        if (sslCiphers != null && sslCiphers.isBlank()) {
            throw new IllegalArgumentException("ssl-ciphers needs at least one cipher suite");
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
