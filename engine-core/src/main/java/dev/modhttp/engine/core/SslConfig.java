package dev.modhttp.engine.core;

import dev.modhttp.engine.config.KeyDoc;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * nginx's ssl module directives, at main or server scope, for servers on a {@code listen} with
 * the {@code ssl} parameter.
 *
 * <p>Each component is a key; its default and meaning are in its {@link KeyDoc}, from which the README's
 * reference is generated.
 */
public record SslConfig(
        @KeyDoc(meaning = "PEM certificate chain of a server on a `listen` with `ssl` (`certs/example.com.crt`); a list for "
                + "several key types (`[certs/rsa.crt, certs/ecdsa.crt]`, one pair per type; RSA and ECDSA, not Ed25519): "
                + "each handshake takes the pair the client supports, as OpenSSL does (TLS 1.3: the first key type, and ECDSA "
                + "curve, the client's signature algorithms name; TLS 1.2: the key type of the suite chosen, in the server's "
                + "order with `ssl-prefer-server-ciphers`, else in the client's). One file may hold both key and certificate. "
                + "Startup fails without it, naming the server. Read again within a second when it or its key changes (a "
                + "renewal): new handshakes take the new pair, open connections keep theirs; a pair that does not load is "
                + "refused with an error naming the file and the old one keeps serving")
        List<String> sslCertificate,
        @KeyDoc(meaning = "the PEM private key of each certificate, in the same order: PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 "
                + "(`BEGIN RSA PRIVATE KEY`) or SEC1 (`BEGIN EC PRIVATE KEY`), each also encrypted; a key that does not fit "
                + "its certificate fails startup")
        List<String> sslCertificateKey,
        @KeyDoc(meaning = "passwords of encrypted keys, one per line, each tried in turn; startup fails naming it when none "
                + "opens a key")
        String sslPasswordFile,
        @KeyDoc(defaultValue = "`[TLSv1.2, TLSv1.3]`", meaning = "protocols the handshake may agree, of `TLSv1`, `TLSv1.1`, "
                + "`TLSv1.2`, `TLSv1.3`")
        List<String> sslProtocols,
        @KeyDoc(defaultValue = "ECDHE with AEAD", meaning = "TLS 1.2-and-older suites in OpenSSL's cipher list format, with "
                + "either provider: names (`ECDHE-RSA-AES128-GCM-SHA256`, or IANA's `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`) "
                + "and OpenSSL's words (`HIGH:!aNULL:!MD5`, `ECDHE+AESGCM`, `-`, `!`, `+`, `@STRENGTH`), selected and ordered "
                + "as `openssl ciphers` does; TLS 1.3 keeps its three suites, as in nginx; a list that selects nothing the "
                + "provider serves, or a word OpenSSL does not know (a typo OpenSSL would skip), fails startup")
        String sslCiphers,
        @KeyDoc(defaultValue = "`on`", meaning = "the server's order of `ssl-ciphers` decides, not the client's (TLS 1.2; "
                + "with OpenSSL, BoringSSL orders TLS 1.3's suites itself); `off`: the client's")
        Boolean sslPreferServerCiphers,
        @KeyDoc(defaultValue = "`none`", meaning = "`off`, `none`: sessions are not kept (tickets still resume them); "
                + "`builtin[:sessions]`, `shared:NAME:SIZE` (about 4000 sessions per megabyte, as in nginx): a cache of that "
                + "many sessions per server, resumed by session id (TLS 1.2)")
        SslSessionCache sslSessionCache,
        @KeyDoc(defaultValue = "`5m`", meaning = "how long a session may be resumed, from the cache or a ticket (with OpenSSL "
                + "the ticket keys change every half timeout, the previous one still decrypting, as BoringSSL would otherwise "
                + "accept TLS 1.3 tickets for two days)")
        Duration sslSessionTimeout,
        @KeyDoc(defaultValue = "`on`", meaning = "sessions resume from tickets (TLS 1.2 RFC 5077, TLS 1.3 PSK) encrypted with "
                + "keys the engine makes; `off` with the JDK's provider fails startup unless the JVM runs with "
                + "`-Djdk.tls.server.enableSessionTicketExtension=false` (its setting is JVM-wide)")
        Boolean sslSessionTickets,
        @KeyDoc(meaning = "a Spring Boot SSL bundle (`spring.ssl.bundle.pem.NAME.*` or `.jks.NAME.*`) instead of "
                + "`ssl-certificate` and `ssl-certificate-key`: its keys, protocols and ciphers; reloaded when Boot reloads "
                + "it (`reload-on-update`); a server without `listen` follows `server.ssl.*` as Boot's servers do "
                + "(`server.ssl.bundle`; PEM `server.ssl.certificate` and `server.ssl.certificate-private-key`, read again "
                + "when they change; a key store, `key-password`, `classpath:` resources, through Boot's own "
                + "`WebServerSslBundle`) and `server.http2.enabled`; an unknown bundle fails startup naming it")
        String sslBundle,
        @KeyDoc(meaning = "PEM CA certificates that verify client certificates, named to clients as acceptable issuers")
        String sslClientCertificate,
        @KeyDoc(meaning = "more PEM CA certificates that verify client certificates, not named to clients")
        String sslTrustedCertificate,
        @KeyDoc(defaultValue = "`off`", meaning = "mutual TLS: `on` asks each client for a certificate that "
                + "`ssl-client-certificate` or `ssl-trusted-certificate` verifies (none: 496, not verified: 495, both sent as "
                + "nginx's 400 pages, both open to `error-page`); `optional` also takes requests without one; "
                + "`optional_no_ca` also unverified ones; `$ssl_client_verify` says which")
        VerifyClient sslVerifyClient,
        @KeyDoc(defaultValue = "`1`", meaning = "certificates a client's chain may have above its own")
        Integer sslVerifyDepth) {

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
