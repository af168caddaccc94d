package dev.modhttp.engine.http1;

import dev.modhttp.engine.exchange.ConnectionStates;
import dev.modhttp.engine.exchange.TlsFacts;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.tls.TlsContexts;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLSession;

/** What a connection on a TLS port learns from its handshake: the SNI name, the session, or that the client spoke plain HTTP. */
final class TlsState implements TlsFacts {

    private String sniName;
    private boolean plain;
    private SSLSession session;
    private boolean reused;
    private long handshakeStart;

    /**
     * Takes the TLS handlers' events; a failed handshake is the client's, logged at info without
     * a stack trace.
     *
     * @return whether the handshake succeeded and chose HTTP/2 by ALPN
     */
    boolean onEvent(ChannelHandlerContext ctx, long connectionId, ConnectionStates states, Object evt) {
        if (evt == PlainOnTlsPort.EVENT) {
            plain = true;
        } else if (evt instanceof SniCompletionEvent sni) {
            sniName = sni.hostname();
            handshakeStart = System.currentTimeMillis(); // the ClientHello has arrived
        } else if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            session = tls == null ? null : tls.engine().getSession(); // taken once, not per request
            reused = tls != null && TlsContexts.sessionReused(tls.engine(), handshakeStart);
            return tls != null && ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol());
        } else if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.cause() instanceof ClosedChannelException) {
                Log.debug("connection {}: closed during the TLS handshake", connectionId); // the client went away
            } else {
                Log.LOG.info("connection {}: TLS handshake failed: {}", connectionId, done.cause().toString());
                states.tlsHandshakeFailed();
            }
        }
        return false;
    }

    /** Whether the client sent plain HTTP to the TLS port (answered with nginx's 497). */
    boolean plain() {
        return plain;
    }

    @Override
    public String sniName() {
        return sniName;
    }

    @Override
    public boolean reused() {
        return reused;
    }

    @Override
    public SSLSession session() {
        return session;
    }
}
