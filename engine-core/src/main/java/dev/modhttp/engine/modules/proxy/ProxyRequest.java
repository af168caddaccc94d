package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.modules.proxy.Attempts.Failure;
import dev.modhttp.engine.phase.Result;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
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
final class ProxyRequest implements RequestSender.Progress {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    private enum State { CONNECTING, SENDING, HEAD, BODY, DISCARDING, DONE }

    private final ProxyModule module;
    private final HttpExchange ex;
    private final Route route;
    private final Route.Target to;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final UpstreamState stats;
    private final long started = System.nanoTime();
    private RequestSender sender;
    private final Attempts attempts;
    private BackendConnection conn;
    private boolean cached;
    private State state = State.CONNECTING;
    private ProxiedBody body;
    private boolean keepConnection;

    ProxyRequest(ProxyModule module, HttpExchange ex, Route route, Peers peers, Route.Target to, Peers.Pick pick) {
        this.module = module;
        this.ex = ex;
        this.route = route;
        this.to = to;
        this.stats = UpstreamState.of(ex, module.observer());
        this.attempts = new Attempts(peers, pick, route.conf().proxyNextUpstreamTries());
        result.whenComplete((r, error) -> {
            if (error instanceof CancellationException) {
                clientGone();
            }
        });
    }

    /** Sends {@code request} to the first peer; the result is pending until a response head (or the last failure). */
    Result start(RequestSender request) {
        sender = request;
        ex.onClientClose(() -> LOG.info("client prematurely closed connection, so upstream connection is closed too {}, {}",
                state == State.CONNECTING ? "while connecting to upstream" : state == State.SENDING
                ? "while sending request to upstream" : "while reading response header from upstream", context()));
        UnbufferedBody live = UnbufferedBody.of(ex);
        if (live != null) {
            live.onFailure(this::clientGone);
        }
        attempt();
        return result.isDone() ? result.join() : Result.pending(result);
    }

    private void attempt() {
        Peers.Peer peer = attempts.next();
        if (peer == null) {
            LOG.error("no live upstreams while connecting to upstream, {}", context());
            stats.attempt(attempts.peers.upstream.name(), System.nanoTime());
            stats.status(502);
            finish(Result.status(502));
            return;
        }
        stats.attempt(ex, peer.name, System.nanoTime(), sender, attempts.peers.upstream.name(), to.tlsHost() != null);
        BackendPool pool = module.pool(ex.eventLoop(), attempts.peers);
        BackendConnection c = pool.take(peer.address);
        if (c != null) {
            cached = true;
            stats.connected();
            send(c);
            return;
        }
        cached = false;
        state = State.CONNECTING;
        BackendConnection fresh = new BackendConnection(attempts.peers, peer, pool);
        ChannelFuture f = fresh.connect(ex.eventLoop(), module.channelType(), module.codec(route.conf()),
                route.conf().proxyConnectTimeout(), to.tlsHost() == null ? null : route.tls(), to.tlsHost());
        conn = fresh;
        f.addListener(done -> connected(fresh, done.cause()));
    }

    private void connected(BackendConnection c, Throwable failure) {
        if (state != State.CONNECTING || conn != c) {
            if (failure == null) {
                c.channel.close(); // the request went on without it
            }
        } else if (failure != null) {
            conn = null;
            failed(failure instanceof ConnectTimeoutException ? Failure.TIMEOUT : Failure.ERROR,
                    Attempts.connectFailure(failure));
        } else {
            stats.connected();
            send(c);
        }
    }

    private void send(BackendConnection c) {
        conn = c;
        c.own(this, sender, stats);
        c.requests++;
        c.codec.head(ex.request().method().equals("HEAD"));
        state = State.SENDING;
        armSend();
        try {
            sender.start(c.channel, this);
        } catch (IOException e) {
            failed(Failure.ERROR, "cannot read the client body file (" + e.getMessage() + ") while sending request to upstream");
        }
    }

    @Override
    public void written(Channel c, boolean whole, Throwable failure) {
        if (conn == null || conn.channel != c || state != State.SENDING) {
            return; // an earlier attempt's, or the backend answered before it read the whole request
        }
        if (failure != null) {
            failed(Failure.ERROR, "upstream prematurely closed connection while sending request to upstream");
        } else if (whole) {
            state = State.HEAD;
            armRead();
        } else if (sender.waitingForClient()) {
            disarm(); // the client is slow, not the backend: client-body-timeout's business
        } else {
            armSend();
        }
    }

    private void armSend() {
        arm(route.conf().proxySendTimeout().toMillis(), "while sending request to upstream");
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
            failed(Failure.INVALID_HEADER, Attempts.headerFailure(head.decoderResult().cause()));
            return;
        }
        int status = head.status().code();
        stats.header(status, head.headers());
        if (status == 101) { // the connection switches protocols: a tunnel, never pooled again
            BackendConnection c = conn;
            conn = null;
            state = State.DONE;
            finish(ProxyTunnel.open(ex, route, head, c, context())); // the peer is the tunnel's until it ends
            attempts.handOver();
            return;
        }
        if (module.nextUpstreamFor(route.conf(), status) && attempts.triesLeft() && retriable()) {
            LOG.debug("upstream answered {}, trying the next upstream", status);
            attempts.free(status != 403 && status != 404 && status != 429);
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
        String accel = ProxyFields.accelRedirect(route.conf(), head);
        if (accel != null) { // nginx: the backend names what to serve instead; its connection goes
            stats.done(System.nanoTime());
            attempts.free(false);
            dropConnection();
            finish(ProxyFields.redirect(ex, head, accel));
            return;
        }
        keepConnection = HttpUtil.isKeepAlive(head);
        ProxyFields.copyHead(ex, route, head, ex.response());
        state = State.BODY;
        body = new ProxiedBody(this, route.conf(), ProxyFields.buffering(route.conf(), head));
        ex.response().stream(body, HttpUtil.getContentLength(head, -1L));
        finish(Result.OK);
    }

    private void onContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            bodyFailed("upstream prematurely closed connection while reading upstream");
            return;
        }
        boolean last = content instanceof LastHttpContent;
        stats.received(content.content().readableBytes());
        if (!(state == State.BODY && body.write(content.content(), conn.channel.alloc(), last))) {
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
        attempts.free(false);
        if (conn != null) {
            // a request not sent whole leaves the connection unusable
            conn.done(keepConnection && sender != null && sender.complete());
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
        stats.done(System.nanoTime(), message);
        dropConnection();
        if (wasCached) {
            attempts.untry();
            attempt();
            return;
        }
        attempts.free(true);
        if (module.nextUpstreamFor(route.conf(), kind) && attempts.triesLeft() && retriable()) {
            attempt();
            return;
        }
        finish(Result.status(kind == Failure.TIMEOUT ? 504 : 502));
    }

    /** The backend failed after the response head went out: the client's connection ends too. */
    private void bodyFailed(String message) {
        LOG.error("{}, {}", message, context());
        stats.done(System.nanoTime(), message);
        stop(true);
        if (body != null) {
            body.fail(message);
        }
    }

    /** The client went away: the backend connection is dropped. */
    void clientGone() {
        if (state != State.DONE) {
            stop(false);
        }
    }

    private void stop(boolean peerFailed) {
        stats.done(System.nanoTime()); // the client left: nginx's response time ends here too
        disarm();
        state = State.DONE;
        attempts.free(peerFailed);
        dropConnection();
        release();
    }

    private void finish(Result r) {
        if (state != State.BODY && state != State.DISCARDING) {
            state = State.DONE;
            release();
        } // else the request may still be being sent (a backend answering early) until the response ends
        result.complete(r);
    }

    private boolean retriable() {
        return route.retriable(ex.request().method(), state != State.CONNECTING, started)
                && (sender == null || sender.replayable());
    }

    private void dropConnection() {
        BackendConnection c = conn;
        if (c != null) {
            conn = null; // first: closing fails the writes pending on it, whose listeners must see it gone
            c.close();
        }
    }

    /** No attempt follows: the request's bytes are not needed again. */
    private void release() {
        if (sender != null) {
            sender.release();
            sender = null;
        }
    }

    private void armRead() {
        String what = state == State.HEAD ? "while reading response header from upstream" : "while reading upstream";
        arm(route.conf().proxyReadTimeout().toMillis(), what);
    }

    /** A timeout of the connection's current step; {@code where} ends the error log's line when it strikes. */
    private void arm(long ms, String where) {
        State armedIn = state;
        BackendConnection c = conn;
        c.deadline(ms, () -> {
            String message = "upstream timed out (110: Connection timed out) " + where;
            if (conn == c && state == armedIn && (state == State.BODY || state == State.DISCARDING)) {
                bodyFailed(message);
            } else if (conn == c && state == armedIn) {
                failed(Failure.TIMEOUT, message);
            }
        });
    }

    private void disarm() {
        if (conn != null) {
            conn.deadline(0, null);
        }
    }

    private String context() {
        return ProxyModule.context(ex, route, attempts.name(), to.target());
    }
}
