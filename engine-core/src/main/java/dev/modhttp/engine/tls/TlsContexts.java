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
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;

/**
 * The TLS side of the servers that listen with {@code ssl}: per server, one context per key pair
 * of its {@code ssl-certificate} and {@code ssl-certificate-key} lists ({@link KeyPairs}), or one
 * from its {@code ssl-bundle}, with the rest of {@code ssl-*} applied ({@link ContextOptions}),
 * built and checked at startup; and the SNI choice among them. A server that speaks HTTP/2
 * offers {@code h2} and {@code http/1.1} by ALPN. As nginx does, the handshake takes the
 * certificate of the server whose {@code server-names} match the SNI name (exact, wildcards,
 * regex, in the order Host selection uses), the default server's when none or no name matches,
 * and among its pairs the one the ClientHello's offer fits; the request then chooses its server
 * by Host.
 *
 * <p>Certificates are read again when their files change, and ticket keys change, in
 * {@link #reloadChanged}.
 *
 * <p>OpenSSL (BoringSSL from {@code netty-tcnative-boringssl-static}) serves when it is on the
 * classpath and loads, the JDK's provider otherwise, or when the system property
 * {@value #PROVIDER_PROPERTY} is {@code jdk}; which one is logged once at startup.
 */
public final class TlsContexts {

    /** {@code jdk} makes the engine use the JDK's TLS provider even where OpenSSL is available. */
    public static final String PROVIDER_PROPERTY = "dev.modhttp.tls.provider";

    private final Map<ServerConfig, Served> contexts = new IdentityHashMap<>();
    /** Chosen when the first TLS context is made: loading OpenSSL costs startup where nothing uses TLS. */
    private SslProvider provider;

    /**
     * One server's context and the files it was built from, as last seen: a change of either
     * file's time or size builds the context again.
     */
    private static final class Served {
        final ServerConfig server;
        volatile Contexts context;
        String seen;

        Served(ServerConfig server, Contexts context, String seen) {
            this.server = server;
            this.context = context;
            this.seen = seen;
        }
    }

    private final SslBundleSource bundles;

    /**
     * A server's contexts: one per key pair, alike but for the pair (a bundle has one).
     *
     * @param tls13 whether the server allows TLS 1.3, where signature schemes choose the pair
     */
    private record Contexts(List<SslContext> contexts, List<KeyPairs.Pair> pairs, boolean tls13, TicketKeys tickets,
            List<Integer> serverOrder) {

        SslContext choose(ClientHello hello) {
            return contexts.size() == 1 ? contexts.get(0)
                    : contexts.get(KeyPairs.choose(pairs, hello, tls13 && hello.tls13(), serverOrder));
        }
    }

    /** The IANA codes of a context's TLS 1.2 suites in its order where the server prefers its own; else none. */
    private static List<Integer> serverOrder(SslConfig ssl, SslContext context) {
        List<Integer> out = new ArrayList<>();
        if (ssl.sslPreferServerCiphers()) {
            for (String name : context.cipherSuites()) { // OpenSSL's names or Java's, as the context was given them
                int code = CipherList.code(name);
                if (code < 0) {
                    code = CipherList.code(String.valueOf(CipherSuiteConverter.toOpenSsl(name, false)));
                }
                if (code >= 0) {
                    out.add(code);
                }
            }
        }
        return List.copyOf(out);
    }

    private TlsContexts(SslBundleSource bundles) {
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
    public synchronized SslProvider provider() {
        if (provider == null) {
            provider = chooseProvider();
        }
        return provider;
    }

    /**
     * @throws ConfigException naming the server and key for a server with an {@code ssl} listen
     *     but no certificate or key, a file that cannot be read, or a key that does not fit
     */
    public static TlsContexts build(EngineConfig config, SslBundleSource bundles) {
        TlsContexts t = new TlsContexts(bundles);
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
            Log.LOG.info("TLS by {} ({} server(s) with ssl)", t.provider() == SslProvider.OPENSSL
                    ? "OpenSSL (" + OpenSsl.versionString() + ")" : "the JDK's provider", t.contexts.size());
        }
        return t;
    }

    private Contexts context(ServerConfig server) {
        SslConfig ssl = server.scope().config(CoreModule.SSL);
        if (ssl.sslBundle() != null) {
            return bundleContext(server, ssl);
        }
        if (ssl.sslCertificate() == null || ssl.sslCertificate().isEmpty()) {
            throw new ConfigException(server.path(), "ssl-certificate",
                    "a server listening with ssl needs ssl-certificate (a PEM certificate chain)");
        }
        if (ssl.sslCertificateKey() == null || ssl.sslCertificateKey().isEmpty()) {
            throw new ConfigException(server.path(), "ssl-certificate-key",
                    "a server listening with ssl needs ssl-certificate-key (the PEM private key)");
        }
        ssl.sslCertificate().forEach(file -> readable(server, "ssl-certificate", file));
        ssl.sslCertificateKey().forEach(file -> readable(server, "ssl-certificate-key", file));
        if (ssl.sslPasswordFile() != null) {
            readable(server, "ssl-password-file", ssl.sslPasswordFile());
        }
        List<KeyPairs.Pair> pairs = KeyPairs.read(server, ssl.sslCertificate(), ssl.sslCertificateKey(), ssl.sslPasswordFile());
        try {
            List<SslContext> contexts = new ArrayList<>();
            for (KeyPairs.Pair pair : pairs) {
                SslContextBuilder b = SslContextBuilder.forServer(pair.keyManagers(provider() == SslProvider.OPENSSL))
                        .sslProvider(provider())
                        .protocols(ssl.sslProtocols());
                ContextOptions.verifyClients(server, ssl, b);
                contexts.add(ContextOptions.finish(server, b, provider(), ssl.sslProtocols(), List.of()));
            }
            return new Contexts(List.copyOf(contexts), pairs, ssl.sslProtocols().contains("TLSv1.3"), tickets(ssl, contexts),
                    serverOrder(ssl, contexts.get(0)));
        } catch (GeneralSecurityException | IOException e) { // SSLException among them
            throw new ConfigException(server.path(), "ssl-certificate", "cannot serve " + String.join(", ", ssl.sslCertificate())
                    + " with the key(s) " + String.join(", ", ssl.sslCertificateKey()) + ": " + e.getMessage(), e);
        }
    }

    /** The ticket keys of a server's contexts under OpenSSL with tickets on; null otherwise (the JDK makes its own). */
    private TicketKeys tickets(SslConfig ssl, List<SslContext> contexts) {
        return provider() == SslProvider.OPENSSL && ssl.sslSessionTickets() ? new TicketKeys(contexts, ssl.sslSessionTimeout())
                : null;
    }

    /** A context from an SSL bundle's key managers, its protocols (else {@code ssl-protocols}) and ciphers. */
    private Contexts bundleContext(ServerConfig server, SslConfig ssl) {
        if (bundles == null) {
            throw new ConfigException(server.path(), "ssl-bundle", "no SSL bundles are known to the engine (the starter"
                    + " provides Spring Boot's spring.ssl.bundle.*); use ssl-certificate and ssl-certificate-key");
        }
        try {
            SslBundleSource.Material m = bundles.get(ssl.sslBundle());
            KeyManagerFactory keys = provider() == SslProvider.OPENSSL
                    ? new OpenSslCachingX509KeyManagerFactory(m.keyManagers()) // key material converted once, not per handshake
                    : m.keyManagers();
            SslContextBuilder b = SslContextBuilder.forServer(keys)
                    .sslProvider(provider())
                    .protocols(m.protocols().isEmpty() ? ssl.sslProtocols() : m.protocols());
            ContextOptions.verifyClients(server, ssl, b);
            List<SslContext> contexts = List.of(ContextOptions.finish(server, b, provider(),
                    m.protocols().isEmpty() ? ssl.sslProtocols() : m.protocols(), m.ciphers()));
            return new Contexts(contexts, List.of(), false, tickets(ssl, contexts), List.of());
        } catch (ConfigException e) {
            throw e;
        } catch (Exception e) {
            throw new ConfigException(server.path(), "ssl-bundle", "cannot serve the SSL bundle '" + ssl.sslBundle()
                    + "': " + e.getMessage(), e);
        }
    }

    /** The time and size of a server's certificate and key files, to notice a change; "" when one cannot be read. */
    private static String stamp(ServerConfig server) {
        SslConfig ssl = server.scope().config(CoreModule.SSL);
        if (ssl.sslBundle() != null) {
            return "bundle"; // Spring Boot watches a bundle's files and tells (onChange)
        }
        StringBuilder b = new StringBuilder();
        if (ssl.sslCertificate() == null || ssl.sslCertificateKey() == null) {
            return ""; // refused by context()
        }
        List<String> files = new ArrayList<>(ssl.sslCertificate());
        files.addAll(ssl.sslCertificateKey());
        if (ssl.sslPasswordFile() != null) {
            files.add(ssl.sslPasswordFile());
        }
        for (String file : files) {
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
     * again when a file changes again. Also changes the ticket keys that are due
     * ({@link TicketKeys}).
     *
     * @return how many servers took a new certificate
     */
    public int reloadChanged() {
        int reloaded = 0;
        long nanos = System.nanoTime();
        for (Served s : contexts.values()) {
            TicketKeys tickets = s.context.tickets();
            if (tickets != null) {
                tickets.tick(nanos); // as good a place as any that runs every second
            }
            String now = stamp(s.server);
            if (now.equals(s.seen)) {
                continue;
            }
            s.seen = now;
            SslConfig ssl = s.server.scope().config(CoreModule.SSL);
            if (rebuild(s, String.join(", ", ssl.sslCertificate()) + " and " + String.join(", ", ssl.sslCertificateKey()))) {
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

    static void readable(ServerConfig server, String key, String file) {
        if (!Files.isReadable(Path.of(file))) {
            throw new ConfigException(server.path(), key, "cannot read " + Path.of(file).toAbsolutePath());
        }
    }

    /**
     * nginx's {@code $ssl_session_reused} of a finished handshake.
     *
     * @param handshakeStart when the ClientHello arrived, in {@link System#currentTimeMillis()}
     */
    public static boolean sessionReused(SSLEngine engine, long handshakeStart) {
        return ContextOptions.reused(engine, handshakeStart);
    }

    /**
     * The TLS handler of each new connection on one TLS socket: it takes the context of the
     * server the SNI name selects (the default server's without a match) and, among its key
     * pairs, the one the ClientHello's offer fits.
     *
     * @throws ConfigException when the socket's default server has no certificate
     */
    public Supplier<ChannelHandler> sni(VirtualHosts hosts) {
        Served fallback = contexts.get(hosts.defaultServer());
        if (fallback == null) {
            throw new ConfigException(hosts.defaultServer().path(), "ssl-certificate",
                    "the default server of a listen with ssl needs ssl-certificate and ssl-certificate-key");
        }
        ServerSni.Selector selector = (name, hello) -> {
            ServerConfig server = name == null ? hosts.defaultServer() : hosts.select(Addresses.host(name));
            Served c = contexts.get(server);
            return (c != null ? c : fallback).context.choose(hello); // read per handshake: a reload shows at once
        };
        return () -> new ServerSni(selector);
    }
}
