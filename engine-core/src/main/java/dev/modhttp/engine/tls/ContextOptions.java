package dev.modhttp.engine.tls;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.SslConfig;
import dev.modhttp.engine.core.SslSessionCache;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.internal.tcnative.SSL;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * What a server context takes from {@link SslConfig} besides its key material: client
 * certificate verification, cipher suites and their order, sessions (cache, timeout, tickets)
 * and ALPN. The OpenSSL-only parts run only when OpenSSL is the provider.
 */
final class ContextOptions {

    /** TLS 1.3's suites: nginx's {@code ssl_ciphers} leaves them alone, and so does {@code ssl-ciphers}. */
    private static final List<String> TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    private ContextOptions() {
    }

    /**
     * nginx's client certificates ({@code ssl-verify-client}, {@code ssl-client-certificate},
     * {@code ssl-trusted-certificate}, {@code ssl-verify-depth}): the handshake asks for a
     * certificate and never fails for it; {@link ClientVerifier} records the verdict.
     *
     * @throws ConfigException when verification is on without a CA file, or a CA file does not load
     */
    static void verifyClients(ServerConfig server, SslConfig ssl, SslContextBuilder b) {
        SslConfig.VerifyClient mode = ssl.sslVerifyClient();
        if (mode == SslConfig.VerifyClient.OFF) {
            return;
        }
        List<X509Certificate> named = cas(server, "ssl-client-certificate", ssl.sslClientCertificate());
        List<X509Certificate> all = new ArrayList<>(named);
        all.addAll(cas(server, "ssl-trusted-certificate", ssl.sslTrustedCertificate()));
        if (all.isEmpty() && mode != SslConfig.VerifyClient.OPTIONAL_NO_CA) {
            throw new ConfigException(server.path(), "ssl-client-certificate", "ssl-verify-client " + mode.name()
                    .toLowerCase(Locale.ROOT) + " needs ssl-client-certificate or ssl-trusted-certificate (PEM CA certificates)");
        }
        X509TrustManager trusted = null;
        if (!all.isEmpty()) {
            try {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < all.size(); i++) {
                    store.setCertificateEntry("ca" + i, all.get(i));
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                trusted = (X509TrustManager) tmf.getTrustManagers()[0];
            } catch (GeneralSecurityException | IOException e) {
                throw new ConfigException(server.path(), "ssl-client-certificate", "cannot trust the CA certificates: "
                        + e.getMessage(), e);
            }
        }
        b.trustManager(new ClientVerifier(trusted, named.toArray(new X509Certificate[0]), ssl.sslVerifyDepth()))
                .clientAuth(ClientAuth.OPTIONAL);
    }

    /** The PEM certificates of a CA file; none for no file. */
    private static List<X509Certificate> cas(ServerConfig server, String key, String file) {
        if (file == null) {
            return List.of();
        }
        TlsContexts.readable(server, key, file);
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new GeneralSecurityException("no certificate in it");
            }
            return out;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(server.path(), key, "cannot read the certificates of " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Cipher suites, sessions, ALPN, then the context. Ciphers: a bundle's, else
     * {@code ssl-ciphers}, else with TLS 1.2 and 1.3 only ECDHE with AEAD (Mozilla's
     * intermediate profile, also what RFC 9113 §9.2 allows for h2: no CBC, so no LUCKY13), with
     * TLSv1 or TLSv1.1 allowed the provider's list, which those protocols need. A server that
     * speaks HTTP/2 offers {@code h2} and {@code http/1.1} by ALPN.
     *
     * @throws ConfigException naming {@code ssl-ciphers} for a cipher the provider does not know,
     *     {@code ssl-session-tickets} for {@code off} where the provider cannot turn them off
     */
    static SslContext finish(ServerConfig server, SslContextBuilder b, SslProvider provider, List<String> protocols,
            List<String> bundleCiphers) throws SSLException {
        SslConfig ssl = server.scope().config(CoreModule.SSL);
        boolean legacy = protocols.contains("TLSv1") || protocols.contains("TLSv1.1");
        if (!bundleCiphers.isEmpty()) {
            b.ciphers(bundleCiphers);
        } else if (ssl.sslCiphers() != null) {
            b.ciphers(ciphers(server, ssl.sslCiphers(), provider, protocols.contains("TLSv1.3")),
                    IdentityCipherSuiteFilter.INSTANCE);
        } else if (!legacy) {
            b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        }
        boolean h2 = server.scope().config(CoreModule.HTTP2).enabled(server.listens().stream().anyMatch(Listen::http2), true);
        if (h2) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        boolean tickets = ssl.sslSessionTickets();
        if (!tickets && provider == SslProvider.JDK
                && !"false".equals(System.getProperty("jdk.tls.server.enableSessionTicketExtension"))) {
            throw new ConfigException(server.path(), "ssl-session-tickets", "the JDK's TLS provider turns tickets off only for"
                    + " the whole JVM: start it with -Djdk.tls.server.enableSessionTicketExtension=false, or put"
                    + " io.netty:netty-tcnative-boringssl-static on the classpath for OpenSSL");
        }
        SslContext context;
        try {
            context = b.build();
        } catch (SSLException | IllegalArgumentException e) {
            if (ssl.sslCiphers() != null && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("cipher")) {
                throw new ConfigException(server.path(), "ssl-ciphers", "'" + ssl.sslCiphers() + "' is refused by "
                        + provider + ": " + e.getMessage(), e);
            }
            throw e;
        }
        SslSessionCache cache = ssl.sslSessionCache();
        SSLSessionContext sessions = context.sessionContext();
        sessions.setSessionTimeout((int) ssl.sslSessionTimeout().toSeconds());
        if (provider == SslProvider.OPENSSL) {
            OpenSslOnly.sessions(context, cache); // and TicketKeys its tickets
        } else {
            sessions.setSessionCacheSize(cache.enabled() ? cache.size() : 1); // the JDK's 0 means unbounded
        }
        boolean clientOrder = !ssl.sslPreferServerCiphers(); // both providers prefer the server's order by default
        return clientOrder || !tickets ? new PerEngine(context, clientOrder, !tickets) : context;
    }

    /**
     * {@code ssl-ciphers} as the provider takes it: the suites {@link CipherList} selects (a
     * suite may also be named as IANA and Java name it, {@code TLS_ECDHE_RSA_WITH_...}) that the
     * provider serves, then TLS 1.3's where TLS 1.3 is on.
     *
     * @throws ConfigException for a word OpenSSL does not know, or when it selects no suite the
     *     provider serves
     */
    private static List<String> ciphers(ServerConfig server, String text, SslProvider provider, boolean tls13) {
        StringBuilder openSslNames = new StringBuilder();
        for (String element : text.trim().split("[:, ;]+")) {
            String name = element.replaceFirst("^[!+-]", "");
            String converted = name.startsWith("TLS_") || name.startsWith("SSL_") ? CipherSuiteConverter.toOpenSsl(name, false)
                    : null;
            openSslNames.append(converted == null ? element : element.substring(0, element.length() - name.length()) + converted)
                    .append(':');
        }
        List<String> unknown = CipherList.unknownWords(openSslNames.toString());
        if (!unknown.isEmpty()) {
            throw new ConfigException(server.path(), "ssl-ciphers", "'" + unknown.get(0) + "' in '" + text + "' is neither a"
                    + " cipher suite nor a word of OpenSSL's cipher list format (openssl ciphers -v ALL lists the suites)");
        }
        Set<String> jdk = provider == SslProvider.JDK ? Set.of(jdkSuites()) : Set.of();
        List<String> out = new ArrayList<>();
        for (String name : CipherList.select(openSslNames.toString())) {
            if (provider == SslProvider.OPENSSL && OpenSslOnly.available(name)) {
                out.add(name);
            } else if (provider == SslProvider.JDK && jdk.contains(CipherSuiteConverter.toJava(name, "TLS"))) {
                out.add(CipherSuiteConverter.toJava(name, "TLS"));
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException(server.path(), "ssl-ciphers", "'" + text + "' selects no TLS 1.2 cipher suite that "
                    + provider + " serves (OpenSSL's cipher list format, as ECDHE+AESGCM or ECDHE-RSA-AES128-GCM-SHA256)");
        }
        if (tls13) {
            out.addAll(TLS13);
        }
        return out;
    }

    private static String[] jdkSuites() {
        return ((SSLServerSocketFactory) SSLServerSocketFactory.getDefault()).getSupportedCipherSuites();
    }

    /**
     * nginx's {@code $ssl_session_reused}: whether this handshake resumed a session.
     *
     * @param handshakeStart when the handshake began, in {@link System#currentTimeMillis()}
     *     (the JDK's provider says no more than when a session was made)
     */
    static boolean reused(SSLEngine engine, long handshakeStart) {
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            return OpenSslOnly.reused(openSsl);
        }
        SSLSession session = engine.getSession();
        return session != null && session.getCreationTime() < handshakeStart;
    }

    /**
     * What is set on each engine: the client's order of cipher suites (nginx's
     * {@code ssl_prefer_server_ciphers off}), no tickets (OpenSSL only; the JDK's are refused at
     * startup).
     */
    private static final class PerEngine extends DelegatingSslContext {

        private final boolean clientOrder;
        private final boolean noTickets;

        PerEngine(SslContext context, boolean clientOrder, boolean noTickets) {
            super(context);
            this.clientOrder = clientOrder;
            this.noTickets = noTickets;
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
                OpenSslOnly.options(openSsl, clientOrder, noTickets);
                return;
            }
            if (!clientOrder) {
                return;
            }
            SSLParameters p = engine.getSSLParameters();
            p.setUseCipherSuitesOrder(false);
            engine.setSSLParameters(p);
        }
    }

    /** What only OpenSSL can do; its classes load only where it is the provider. */
    private static final class OpenSslOnly {

        static void sessions(SslContext context, SslSessionCache cache) {
            OpenSslSessionContext sessions = (OpenSslSessionContext) context.sessionContext();
            sessions.setSessionCacheEnabled(cache.enabled());
            if (cache.enabled()) {
                sessions.setSessionCacheSize(cache.size());
            }
        }

        /** One connection's options (Netty sets the server's order on every context). */
        static void options(ReferenceCountedOpenSslEngine engine, boolean clientOrder, boolean noTickets) {
            if (clientOrder) {
                SSL.clearOptions(engine.sslPointer(), SSL.SSL_OP_CIPHER_SERVER_PREFERENCE);
            }
            if (noTickets) {
                SSL.setOptions(engine.sslPointer(), SSL.SSL_OP_NO_TICKET);
            }
        }

        static boolean available(String openSslName) {
            return OpenSsl.isCipherSuiteAvailable(openSslName);
        }

        static boolean reused(ReferenceCountedOpenSslEngine engine) {
            return SSL.isSessionReused(engine.sslPointer());
        }
    }
}
