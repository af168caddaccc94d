package dev.modhttp.engine.tls;

import dev.modhttp.engine.http.ConnectionInfo;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Verifies a client's certificate as nginx's {@code ssl_verify_client} does, without failing the
 * handshake: the result goes into the TLS session ({@link ConnectionInfo#sslClientVerify()}:
 * {@code SUCCESS} or {@code FAILED:reason}), and the request is answered 495 or 496 by the
 * request core where {@code ssl-verify-client} asks for it. The chain may have at most
 * {@code ssl-verify-depth} certificates above the client's own.
 */
final class ClientVerifier extends X509ExtendedTrustManager {

    /** Trusts the CAs; null for {@code optional_no_ca} without any CA file (nothing verifies). */
    private final X509TrustManager trusted;
    private final X509Certificate[] named;
    private final int depth;

    ClientVerifier(X509TrustManager trusted, X509Certificate[] named, int depth) {
        this.trusted = trusted;
        this.named = named.clone();
        this.depth = depth;
    }

    private String verify(X509Certificate[] chain, String authType) {
        if (chain == null || chain.length == 0) {
            return null;
        }
        if (chain.length - 1 > depth) {
            return "FAILED:certificate chain too long";
        }
        if (trusted == null) {
            return "FAILED:unable to get local issuer certificate";
        }
        try {
            trusted.checkClientTrusted(chain, authType);
            return "SUCCESS";
        } catch (CertificateException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return "FAILED:" + reason;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        String result = verify(chain, authType);
        SSLSession session = engine.getHandshakeSession();
        if (result != null && session != null) {
            session.putValue(ConnectionInfo.CLIENT_VERIFY, result);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // the engine's TLS runs on SSLEngine only
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // the engine's TLS runs on SSLEngine only
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a server context verifies no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a server context verifies no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a server context verifies no server");
    }

    /** The issuers named to clients in the handshake: {@code ssl-client-certificate}'s. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return named.clone();
    }
}
