package dev.modhttp.engine.modules.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS to an {@code https://} backend (nginx's proxy_ssl_*): Netty's client {@code SslContext},
 * built once per setting. Without proxy-ssl-verify any certificate is taken, as nginx takes it;
 * with it, the chain must lead to proxy-ssl-trusted-certificate (else the JVM's trust store) and
 * the certificate must name proxy-ssl-name. SNI carries that name with proxy-ssl-server-name
 * (and whenever the name is verified).
 */
final class BackendTls {

    private final SslContext context;
    private final boolean serverName;
    private final boolean verify;
    private final String name;

    BackendTls(ProxyConfig conf) {
        this.serverName = conf.proxySslServerName();
        this.verify = conf.proxySslVerify();
        this.name = conf.proxySslName();
        SslContextBuilder b = SslContextBuilder.forClient();
        if (!verify) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (conf.proxySslTrustedCertificate() != null) {
            File f = new File(conf.proxySslTrustedCertificate());
            if (!f.canRead()) {
                throw new IllegalArgumentException("cannot read proxy-ssl-trusted-certificate \"" + f + "\"");
            }
            b.trustManager(f);
        }
        try {
            this.context = b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("proxy-ssl-trusted-certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The handler for a new connection to {@code address} and {@code port}, {@code host} being the
     * proxy-pass host (proxy-ssl-name's default): SNI and name check as configured.
     */
    SslHandler handler(ByteBufAllocator alloc, String address, int port, String host) {
        boolean named = serverName || verify;
        String name = this.name != null ? this.name : host;
        SSLEngine engine = context.newEngine(alloc, named ? name : address, port);
        SSLParameters p = engine.getSSLParameters();
        if (verify) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        p.setServerNames(named && !ProxyModule.isAddress(name) ? List.of(new SNIHostName(name)) : List.of());
        engine.setSSLParameters(p);
        return new SslHandler(engine);
    }
}
