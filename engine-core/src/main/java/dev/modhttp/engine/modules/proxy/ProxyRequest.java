package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.phase.Result;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request passed to an upstream, over as many attempts as proxy-next-upstream
 * allows: pick a peer, take an idle connection or connect, send the request, read the response
 * head, then stream the body to the client paced by the client (the backend's reads pause while
 * the client does not take bytes). Runs on the client connection's event loop throughout.
 *
 * <pre>
 *  attempt ─ peer ─ pooled? ─ send ─ head ─┬─ next upstream? ─ attempt
 *                 └ connect ┘              ├─ intercept: error page
 *                                          └─ response: body streamed ─ end ─ connection to the pool
 * </pre>
 */
final class ProxyRequest {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** Why an attempt failed, nginx's NGX_HTTP_UPSTREAM_FT_* kinds. */
    enum Failure { ERROR, TIMEOUT, INVALID_HEADER }

    private enum State { CONNECTING, SENDING, HEAD, BODY, DISCARDING, DONE }

    private final ProxyModule module;
    private final HttpExchange ex;
    private final Route route;
    private final Peers peers;
    private final Route.Target to;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final UpstreamState stats;
    private final long started = System.nanoTime();
    private FullHttpRequest request;
    private final Peers.Pick pick;
    private int triesLeft;
    private Peers.Peer peer;
    private BackendConnection conn;
    private boolean cached;
    private State state = State.CONNECTING;
    private ProxiedBody body;
    private boolean keepConnection;
    private boolean skipInformational;

    ProxyRequest(ProxyModule module, HttpExchange ex, Route route, Peers peers, Route.Target to, Peers.Pick pick) {
        this.pick = pick;
        this.module = module;
        this.ex = ex;
        this.route = route;
        this.peers = peers;
        this.to = to;
        this.stats = UpstreamState.of(ex);
        int tries = route.conf().proxyNextUpstreamTries();
        this.triesLeft = tries == 0 ? peers.size() : Math.min(tries, peers.size());
        result.whenComplete((r, error) -> {
            if (error instanceof CancellationException) {
                clientGone();
            }
        });
    }

    Result start() {
        request = ProxyFields.request(ex, route, to.proxyHost(), to.target(), peers.upstream.keepalive() > 0);
        attempt();
        return result.isDone() ? result.join() : Result.pending(result);
    }

    private void attempt() {
        long now = Peers.now();
        peer = peers.next(pick, now);
        if (peer == null) {
            LOG.error("no live upstreams while connecting to upstream, {}", context());
            stats.attempt(peers.upstream.name(), System.nanoTime());
            stats.status(502);
            finish(Result.status(502));
            return;
        }
        triesLeft--;
        stats.attempt(peer.name, System.nanoTime());
        BackendPool pool = module.pool(ex.eventLoop(), peers);
        BackendConnection c = pool.take(peer.address);
        if (c != null) {
            cached = true;
            stats.connected();
            send(c);
            return;
        }
        cached = false;
        state = State.CONNECTING;
        BackendConnection fresh = new BackendConnection(peers, peer, pool);
        ChannelFuture f = fresh.connect(ex.eventLoop(), module.channelType(), module.codec(route.conf()),
                route.conf().proxyConnectTimeout(), to.tlsHost() == null ? null : route.tls(), to.tlsHost());
        conn = fresh;
        f.addListener(done -> {
            if (state != State.CONNECTING || conn != fresh) {
                if (done.isSuccess()) {
                    f.channel().close();
                }
                return;
            }
            if (!done.isSuccess()) {
                conn = null;
                boolean timeout = done.cause() instanceof ConnectTimeoutException;
                failed(timeout ? Failure.TIMEOUT : Failure.ERROR, ProxyModule.connectFailure(done.cause()));
                return;
            }
            stats.connected();
            send(fresh);
        });
    }

    private void send(BackendConnection c) {
        conn = c;
        c.own(this);
        c.requests++;
        c.codec.head(request.method() == HttpMethod.HEAD);
        state = State.SENDING;
        arm(route.conf().proxySendTimeout().toMillis(), "while sending request to upstream");
        c.channel.writeAndFlush(request.retainedDuplicate()).addListener(done -> {
            if (conn != c || state != State.SENDING) {
                return;
            }
            if (!done.isSuccess()) {
                failed(Failure.ERROR, "upstream prematurely closed connection while sending request to upstream");
                return;
            }
            state = State.HEAD;
            armRead();
        });
    }

    void onMessage(BackendConnection c, Object msg) {
        if (c != conn) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse head && (state == State.SENDING || state == State.HEAD)) {
            state = State.HEAD; // a backend may answer before it read the whole request
            onHead(head);
        }
        if (c != conn) { // the head failed: nothing more of this message counts
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        }
    }

    private void onHead(HttpResponse head) {
        if (head.decoderResult().isFailure() || head.status().code() < 100) {
            failed(Failure.INVALID_HEADER, ProxyModule.headerFailure(head.decoderResult().cause()));
            return;
        }
        int status = head.status().code();
        if (status < 200 && status != 101) {
            skipInformational = true; // nginx reads past 1xx interim responses
            return;
        }
        stats.header(status, head.headers());
        if (status == 101) { // the connection switches protocols: a tunnel, never pooled again
            BackendConnection c = conn;
            conn = null;
            state = State.DONE;
            finish(ProxyTunnel.open(ex, route, head, c, context())); // the peer is the tunnel's until it ends
            peer = null;
            return;
        }
        if (module.nextUpstreamFor(route.conf(), status) && triesLeft > 0 && retriable()) {
            LOG.debug("upstream answered {}, trying the next upstream", status);
            releasePeer(status != 403 && status != 404 && status != 429);
            dropConnection();
            attempt();
            return;
        }
        if (route.conf().proxyInterceptErrors() && status >= 300 && module.hasErrorPage(ex, status)) {
            keepConnection = HttpUtil.isKeepAlive(head);
            state = State.DISCARDING;
            finish(Result.status(status));
            return;
        }
        keepConnection = HttpUtil.isKeepAlive(head);
        ProxyFields.copyHead(ex, route, head, ex.response());
        state = State.BODY;
        body = new ProxiedBody(this);
        ex.response().stream(body, HttpUtil.getContentLength(head, -1L));
        finish(Result.OK);
    }

    private void onContent(HttpContent content) {
        if (skipInformational) {
            content.release();
            if (content instanceof LastHttpContent) {
                skipInformational = false;
            }
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            bodyFailed("upstream prematurely closed connection while reading upstream");
            return;
        }
        boolean last = content instanceof LastHttpContent;
        stats.received(content.content().readableBytes());
        if (!(state == State.BODY && body.write(content.content(), last))) {
            content.release();
        }
        if (last && (state == State.DISCARDING || state == State.BODY)) {
            end();
        }
    }

    void onReadComplete(BackendConnection c) {
        if (c != conn) {
            return;
        }
        if (state == State.BODY) {
            body.flush();
        }
        if ((state == State.HEAD || state == State.BODY || state == State.DISCARDING)
                && (body == null || !body.paused())) {
            armRead();
        }
    }

    void onClosed(BackendConnection c) {
        if (c == conn) {
            conn = null;
            if (state == State.SENDING || state == State.HEAD) {
                failed(Failure.ERROR, "upstream prematurely closed connection while reading response header from upstream");
            } else if (state == State.BODY || state == State.DISCARDING) {
                bodyFailed("upstream prematurely closed connection while reading upstream");
            }
        }
    }

    void onError(BackendConnection c, Throwable cause) {
        if (c != conn) {
            return;
        }
        String failure = "recv() failed (" + cause.getMessage() + ") ";
        if (cause instanceof SSLException && state != State.BODY && state != State.DISCARDING) {
            failed(Failure.ERROR, cause.getMessage()); // worded where the handshake failed
            return;
        }
        switch (state) {
            case SENDING -> failed(Failure.ERROR, failure + "while sending request to upstream");
            case BODY, DISCARDING -> bodyFailed(failure + "while reading upstream");
            default -> failed(Failure.ERROR, failure + "while reading response header from upstream");
        }
    }

    /** The body is not sent (HEAD, 304, a filter replaced the response): read to its end, the connection kept. */
    void notSent() {
        if (state == State.BODY) {
            state = State.DISCARDING;
        }
    }

    /** Stops or resumes reading from the backend, as the client takes bytes. */
    void pause(boolean on) {
        if (conn == null) {
            return;
        }
        conn.channel.config().setAutoRead(!on);
        if (on) {
            disarm(); // a client that reads slowly is the send timeout's business, not the backend's
        } else {
            armRead();
        }
    }

    /** The response was read whole: the body ends and the connection may serve the next request. */
    private void end() {
        disarm();
        State was = state;
        state = State.DONE;
        stats.done(System.nanoTime());
        releasePeer(false);
        if (conn != null) {
            conn.done(keepConnection);
            conn = null;
        }
        release();
        if (was == State.BODY) {
            body.end();
        }
    }

    /** An attempt failed before the response head: the next peer, or 502/504. */
    private void failed(Failure kind, String message) {
        disarm();
        boolean wasCached = cached && state != State.CONNECTING && kind == Failure.ERROR && !stats.gotBytes()
                && retriable();
        LOG.error("{}, {}", message, context());
        stats.status(kind == Failure.TIMEOUT ? 504 : 502);
        stats.done(System.nanoTime());
        dropConnection();
        if (wasCached) {
            // a kept connection the backend closed meanwhile: not the peer's fault, and not a try
            pick.tried &= peer.index < 64 ? ~(1L << peer.index) : -1L;
            releasePeer(false);
            triesLeft++;
            attempt();
            return;
        }
        releasePeer(true);
        if (module.nextUpstreamFor(route.conf(), kind) && triesLeft > 0 && retriable()) {
            attempt();
            return;
        }
        finish(Result.status(kind == Failure.TIMEOUT ? 504 : 502));
    }

    /** The backend failed after the response head went out: the client's connection ends too. */
    private void bodyFailed(String message) {
        disarm();
        LOG.error("{}, {}", message, context());
        state = State.DONE;
        stats.done(System.nanoTime());
        releasePeer(true);
        dropConnection();
        release();
        if (body != null) {
            body.fail(message);
        }
    }

    /** The client went away: the backend connection is dropped. */
    void clientGone() {
        if (state == State.DONE) {
            return;
        }
        disarm();
        state = State.DONE;
        releasePeer(false);
        dropConnection();
        release();
    }

    private void finish(Result r) {
        if (state != State.BODY && state != State.DISCARDING) {
            state = State.DONE;
        }
        release();
        result.complete(r);
    }

    private boolean retriable() {
        return route.retriable(ex.request().method(), state != State.CONNECTING, started);
    }

    private void releasePeer(boolean failure) {
        if (peer != null) {
            peers.free(peer, failure, Peers.now());
            peer = null;
        }
    }

    private void dropConnection() {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }

    /** No attempt follows: the request's bytes are not needed again. */
    private void release() {
        ReferenceCountUtil.release(request);
        request = null;
    }

    private void armRead() {
        String what = state == State.HEAD ? "while reading response header from upstream" : "while reading upstream";
        arm(route.conf().proxyReadTimeout().toMillis(), what);
    }

    /** A timeout of the connection's current step; {@code where} ends the error log's line when it strikes. */
    private void arm(long ms, String where) {
        String message = "upstream timed out (110: Connection timed out) " + where;
        State armedIn = state;
        BackendConnection c = conn;
        c.deadline(ms, () -> {
            if (conn == c && state == armedIn) {
                if (state == State.BODY || state == State.DISCARDING) {
                    bodyFailed(message);
                } else {
                    failed(Failure.TIMEOUT, message);
                }
            }
        });
    }

    private void disarm() {
        if (conn != null) {
            conn.deadline(0, null);
        }
    }

    private String context() {
        return ProxyModule.context(ex, route, peer != null ? peer.name : peers.upstream.name(), to.target());
    }
}
