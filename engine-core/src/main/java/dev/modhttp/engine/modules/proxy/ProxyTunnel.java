package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Tunnel;
import dev.modhttp.engine.phase.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upgraded connection passed through (a WebSocket): after the backend's 101 the client's
 * connection and the backend's carry bytes both ways, each side's reads paused while the other
 * does not take bytes, until either side ends or nothing moves for proxy-read-timeout (nginx's
 * idle timeout of an upgraded connection). The backend connection is never pooled again; its peer
 * counts it as a connection (least-conn) until it ends.
 */
final class ProxyTunnel implements Tunnel {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    private final BackendConnection backend;
    private final long idleMs;
    private final String context;
    private End client;
    /** What the backend sent before the client's side was handed over. */
    private CompositeByteBuf early;
    private boolean closed;

    private ProxyTunnel(BackendConnection backend, long idleMs, String context) {
        this.backend = backend;
        this.idleMs = idleMs;
        this.context = context;
    }

    /**
     * The backend answered 101: when the client asked to upgrade, the response switches
     * protocols and the backend's connection becomes the tunnel's (its HTTP codec leaves); else 502.
     */
    static Result open(HttpExchange ex, Route route, HttpResponse head, BackendConnection backend, String context) {
        if (!ex.request().headers().contains(HttpHeaderNames.UPGRADE)) {
            LOG.error("upstream sent 101 to a request that did not ask to upgrade, {}", context);
            backend.close();
            backend.peers.free(backend.peer, false, Peers.now());
            return Result.status(502);
        }
        ProxyTunnel t = new ProxyTunnel(backend, route.conf().proxyReadTimeout().toMillis(), context);
        backend.tunnel(t);
        backend.channel.pipeline().remove(BackendCodec.class); // what it read past the head comes as bytes
        ProxyFields.copyHead(ex, route, head, ex.response());
        String upgrade = head.headers().get(HttpHeaderNames.UPGRADE);
        if (upgrade != null) {
            ex.response().header(HttpHeaderNames.UPGRADE, upgrade);
        }
        ex.response().tunnel(t);
        t.touch();
        return Result.OK;
    }

    @Override
    public void start(End end) {
        this.client = end;
        if (early != null) {
            client.write(early);
            client.flush();
            early = null;
        }
    }

    /** Bytes from the client, to the backend. */
    @Override
    public void onData(ByteBuf data) {
        if (closed) {
            data.release();
            return;
        }
        touch();
        backend.channel.writeAndFlush(data, backend.channel.voidPromise());
        if (!backend.channel.isWritable()) {
            client.read(false);
        }
    }

    /** Bytes from the backend, to the client. */
    void fromBackend(Object msg) {
        if (!(msg instanceof ByteBuf data) || closed) {
            ReferenceCountUtil.release(msg); // the 101's empty last content, or bytes after the end
            return;
        }
        touch();
        if (client == null) {
            if (early == null) {
                early = data.alloc().compositeBuffer();
            }
            early.addComponent(true, data);
            return;
        }
        client.write(data);
        if (!client.isWritable()) {
            backend.channel.config().setAutoRead(false);
        }
    }

    void backendReadComplete() {
        if (client != null && !closed) {
            client.flush();
        }
    }

    void backendWritable() {
        if (client != null && !closed) {
            client.read(true);
        }
    }

    @Override
    public void onWritable() {
        backend.channel.config().setAutoRead(true);
    }

    /** The client's side ended: so does the backend's. */
    @Override
    public void onClose() {
        end();
    }

    /** The backend's side ended: so does the client's. */
    void backendClosed() {
        end();
    }

    @Override
    public void discard() {
        end();
    }

    private void touch() {
        backend.deadline(idleMs, () -> {
            LOG.error("upstream timed out (110: Connection timed out) while proxying upgraded connection, {}", context);
            end();
        });
    }

    private void end() {
        if (closed) {
            return;
        }
        closed = true;
        ReferenceCountUtil.release(early);
        early = null;
        backend.close();
        backend.peers.free(backend.peer, false, Peers.now()); // least-conn counted the tunnel until now
        if (client != null) {
            client.close();
        }
    }
}
