package dev.modhttp.engine.http2;

import dev.modhttp.engine.exchange.ConnectionStates;
import dev.modhttp.engine.http.ConnectionInfo;
import dev.modhttp.engine.http.ConnectionState;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLSession;

/** What hooks and variables see of a stream's connection: the connection's facts, with the stream's state. */
record StreamInfo(Http2Connection conn, ConnectionStates states) implements ConnectionInfo {

    @Override
    public long id() {
        return conn.id();
    }

    @Override
    public ConnectionState state() {
        return states.state();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return conn.localAddress();
    }

    @Override
    public int requests() {
        return conn.requests();
    }

    @Override
    public InetSocketAddress proxyProtocolAddress() {
        return conn.proxyProtocolAddress();
    }

    @Override
    public SSLSession sslSession() {
        return conn.sslSession();
    }

    @Override
    public String sslServerName() {
        return conn.sslServerName();
    }
}
