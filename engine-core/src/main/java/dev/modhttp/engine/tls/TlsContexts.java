package dev.modhttp.engine.tls;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.SslBundleSource;
import dev.modhttp.engine.core.SslConfig;
import dev.modhttp.engine.exchange.VirtualHosts;
import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.internal.Log;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of the servers that listen with {@code ssl}: one server context per server
 * from its {@code ssl-certificate}, {@code ssl-certificate-key} and {@code ssl-protocols}, built
 * and checked at startup, and the SNI choice among them. A server that speaks HTTP/2 offers
 * {@code h2} and {@code http/1.1} by ALPN. As nginx does, the handshake takes the
 * certificate of the server whose {@code server-names} match the SNI name (exact, wildcards,
 * regex, in the order Host selection uses), the default server's when none or no name matches;
 * the request then chooses its server by Host.
 *
 * <p>Certificates are read again when their files change ({@link #reloadChanged}).
 *
 * <p>OpenSSL (BoringSSL from {@code netty-tcnative-boringssl-static}) serves when it is on the
 * classpath and loads, the JDK's provider otherwise, or when the system property
 * {@value #PROVIDER_PROPERTY} is {@code jdk}; which one is logged once at startup.
 */
public final class TlsContexts {

    /** {@code jdk} makes the engine use the JDK's TLS provider even where OpenSSL is available. */
    public static final String PROVIDER_PROPERTY = "dev.modhttp.tls.provider";

    private final Map<ServerConfig, Served> contexts = new IdentityHashMap<>();
    private final SslProvider provider;

    /**
     * One server's context and the files it was built from, as last seen: a change of either
     * file's time or size builds the context again.
     */
    private static final class Served {
        final ServerConfig server;
        volatile SslContext context;
        String seen;

        Served(ServerConfig server, SslContext context, String seen) {
            this.server = server;
            this.context = context;
            this.seen = seen;
        }
    }

    private final SslBundleSource bundles;

    private TlsContexts(SslProvider provider, SslBundleSource bundles) {
        this.provider = provider;
        this.bundles = bundles;
    }

    /** OpenSSL where it loads, unless {@value #PROVIDER_PROPERTY} asks for the JDK's. */
    private static SslProvider chooseProvider() {
        if ("jdk".equalsIgnoreCase(System.getProperty(PROVIDER_PROPERTY))) {
            return SslProvider.JDK;
        }
        try {
            return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        } catch (LinkageError e) { // netty-tcnative is not on the classpath
            return SslProvider.JDK;
        }
    }

    /** The provider serving TLS: {@code OPENSSL} or {@code JDK}. */
    public SslProvider provider() {
        return provider;
    }

    /**
     * @throws ConfigException naming the server and key for a server with an {@code ssl} listen
     *     but no certificate or key, a file that cannot be read, or a key that does not fit
     */
    public static TlsContexts build(EngineConfig config, SslBundleSource bundles) {
        TlsContexts t = new TlsContexts(chooseProvider(), bundles);
        for (ServerConfig server : config.servers()) {
            if (server.listens().stream().anyMatch(Listen::ssl)) {
                String seen = stamp(server);
                Served served = new Served(server, t.context(server), seen);
                t.contexts.put(server, served);
                String bundle = server.scope().config(CoreModule.SSL).sslBundle();
                if (bundle != null) {
                    bundles.onChange(bundle, () -> t.rebuild(served, "SSL bundle '" + bundle + "'"));
                }
            }
        }
        if (!t.contexts.isEmpty()) {
            Log.LOG.info("TLS by {} ({} server(s) with ssl)", t.provider == SslProvider.OPENSSL
                    ? "OpenSSL (" + OpenSsl.versionString() + ")" : "the JDK's provider", t.contexts.size());
        }
        return t;
    }

    private SslContext context(ServerConfig server) {
        SslConfig ssl = server.scope().config(CoreModule.SSL);
        if (ssl.sslBundle() != null) {
            return bundleContext(server, ssl);
        }
        if (ssl.sslCertificate() == null) {
            throw new ConfigException(server.path(), "ssl-certificate",
                    "a server listening with ssl needs ssl-certificate (a PEM certificate chain)");
        }
        if (ssl.sslCertificateKey() == null) {
            throw new ConfigException(server.path(), "ssl-certificate-key",
                    "a server listening with ssl needs ssl-certificate-key (the PEM private key)");
        }
        readable(server, "ssl-certificate", ssl.sslCertificate());
        readable(server, "ssl-certificate-key", ssl.sslCertificateKey());
        try {
            keyFits(Path.of(ssl.sslCertificate()), Path.of(ssl.sslCertificateKey()));
            SslContextBuilder b = SslContextBuilder.forServer(new File(ssl.sslCertificate()), new File(ssl.sslCertificateKey()))
                    .sslProvider(provider)
                    .protocols(ssl.sslProtocols());
            verifyClients(server, ssl, b);
            return finish(server, b, ssl.sslProtocols(), false);
        } catch (Exception e) {
            throw new ConfigException(server.path(), "ssl-certificate", "cannot serve " + ssl.sslCertificate()
                    + " with the key " + ssl.sslCertificateKey() + ": " + e.getMessage(), e);
        }
    }

    /** A context from an SSL bundle's key managers, its protocols (else {@code ssl-protocols}) and ciphers. */
    private SslContext bundleContext(ServerConfig server, SslConfig ssl) {
        if (bundles == null) {
            throw new ConfigException(server.path(), "ssl-bundle", "no SSL bundles are known to the engine (the starter"
                    + " provides Spring Boot's spring.ssl.bundle.*); use ssl-certificate and ssl-certificate-key");
        }
        try {
            SslBundleSource.Material m = bundles.get(ssl.sslBundle());
            KeyManagerFactory keys = provider == SslProvider.OPENSSL
                    ? new OpenSslCachingX509KeyManagerFactory(m.keyManagers()) // key material converted once, not per handshake
                    : m.keyManagers();
            SslContextBuilder b = SslContextBuilder.forServer(keys)
                    .sslProvider(provider)
                    .protocols(m.protocols().isEmpty() ? ssl.sslProtocols() : m.protocols());
            if (!m.ciphers().isEmpty()) {
                b.ciphers(m.ciphers());
            }
            verifyClients(server, ssl, b);
            return finish(server, b, m.protocols().isEmpty() ? ssl.sslProtocols() : m.protocols(), !m.ciphers().isEmpty());
        } catch (Exception e) {
            throw new ConfigException(server.path(), "ssl-bundle", "cannot serve the SSL bundle '" + ssl.sslBundle()
                    + "': " + e.getMessage(), e);
        }
    }

    /**
     * nginx's client certificates ({@code ssl-verify-client}, {@code ssl-client-certificate},
     * {@code ssl-trusted-certificate}, {@code ssl-verify-depth}): the handshake asks for a
     * certificate and never fails for it; {@link ClientVerifier} records the verdict.
     *
     * @throws ConfigException when verification is on without a CA file, or a CA file does not load
     */
    private static void verifyClients(ServerConfig server, SslConfig ssl, SslContextBuilder b) {
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
        readable(server, key, file);
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
     * The ciphers, unless a bundle chose them: with TLS 1.2 and 1.3 only, ECDHE with AEAD
     * (Mozilla's intermediate profile, also what RFC 9113 §9.2 allows for h2: no CBC, so no
     * LUCKY13); with TLSv1 or TLSv1.1 allowed, the provider's list, which those protocols need.
     * Then ALPN h2 and http/1.1 for a server that speaks HTTP/2.
     */
    private static SslContext finish(ServerConfig server, SslContextBuilder b, List<String> protocols, boolean ciphersChosen)
            throws SSLException {
        boolean legacy = protocols.contains("TLSv1") || protocols.contains("TLSv1.1");
        if (!ciphersChosen && !legacy) {
            b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        }
        boolean h2 = server.scope().config(CoreModule.HTTP2).enabled(server.listens().stream().anyMatch(Listen::http2), true);
        if (h2) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        return b.build();
    }

    /** The time and size of a server's certificate and key files, to notice a change; "" when one cannot be read. */
    private static String stamp(ServerConfig server) {
        SslConfig ssl = server.scope().config(CoreModule.SSL);
        if (ssl.sslBundle() != null) {
            return "bundle"; // Spring Boot watches a bundle's files and tells (onChange)
        }
        StringBuilder b = new StringBuilder();
        for (String file : new String[] {ssl.sslCertificate(), ssl.sslCertificateKey()}) {
            try {
                Path p = Path.of(file);
                b.append(Files.getLastModifiedTime(p).toMillis()).append('/').append(Files.size(p)).append(' ');
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }
        return b.toString();
    }

    /**
     * Builds a server's context again when its certificate or key file changed (called every
     * second, and by {@code Engine.reload()}). New handshakes take the new certificate; open
     * connections keep theirs. A file that cannot be read, parsed or does not fit its pair is
     * refused with a log line naming it, and the certificate in use keeps serving; it is tried
     * again when a file changes again.
     *
     * @return how many servers took a new certificate
     */
    public int reloadChanged() {
        int reloaded = 0;
        for (Served s : contexts.values()) {
            String now = stamp(s.server);
            if (now.equals(s.seen)) {
                continue;
            }
            s.seen = now;
            SslConfig ssl = s.server.scope().config(CoreModule.SSL);
            if (rebuild(s, ssl.sslCertificate() + " and " + ssl.sslCertificateKey())) {
                reloaded++;
            }
        }
        return reloaded;
    }

    /** Builds a server's context again from {@code source}; on failure logs it and keeps the one in use. */
    private boolean rebuild(Served s, String source) {
        try {
            s.context = context(s.server);
            Log.LOG.info("{}: TLS certificate reloaded from {}", s.server.path(), source);
            return true;
        } catch (RuntimeException e) { // ConfigException, or anything a provider throws
            Log.LOG.error("{}: the changed certificate is refused, the one in use keeps serving: {}", s.server.path(),
                    e.getMessage());
            return false;
        }
    }

    /**
     * Checks that the key signs what the certificate's public key verifies (the JDK provider
     * would only find out in the first handshake).
     *
     * @throws GeneralSecurityException when it does not, or when either cannot be read
     */
    private static void keyFits(Path certificate, Path key) throws IOException, GeneralSecurityException {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certificate)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(key, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException(key + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        String algorithm = cert.getPublicKey().getAlgorithm();
        PrivateKey privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        String signing = algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256with" + algorithm;
        Signature sign = Signature.getInstance(signing);
        sign.initSign(privateKey);
        byte[] probe = "modhttp".getBytes(StandardCharsets.US_ASCII);
        sign.update(probe);
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance(signing);
        verify.initVerify(cert.getPublicKey());
        verify.update(probe);
        if (!verify.verify(signature)) {
            throw new GeneralSecurityException("the key does not belong to the certificate");
        }
    }

    private static void readable(ServerConfig server, String key, String file) {
        if (!Files.isReadable(Path.of(file))) {
            throw new ConfigException(server.path(), key, "cannot read " + Path.of(file).toAbsolutePath());
        }
    }

    /**
     * The SNI choice among the servers of one TLS socket, for an {@link SniHandler} per connection.
     *
     * @throws ConfigException when the socket's default server has no certificate
     */
    public Mapping<String, SslContext> sni(VirtualHosts hosts) {
        Served fallback = contexts.get(hosts.defaultServer());
        if (fallback == null) {
            throw new ConfigException(hosts.defaultServer().path(), "ssl-certificate",
                    "the default server of a listen with ssl needs ssl-certificate and ssl-certificate-key");
        }
        return name -> {
            ServerConfig server = name == null ? hosts.defaultServer() : hosts.select(Addresses.host(name));
            Served c = contexts.get(server);
            return (c != null ? c : fallback).context; // read per handshake: a reload shows at once
        };
    }
}
