package dev.modhttp.engine.netty;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.StatusText;
import dev.modhttp.engine.module.ConnectionState;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.modules.core.CoreConfig;
import dev.modhttp.engine.modules.core.CoreModule;
import dev.modhttp.engine.modules.core.ErrorPage;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Pipeline;
import dev.modhttp.engine.phase.Pipeline.Step;
import dev.modhttp.engine.phase.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * One request on a connection: walks the compiled phase pipeline, reads the body, finishes
 * with a response or an error page, and runs LOG exactly once. Lives on its connection's
 * event loop; pending and blocking results come back to it there.
 */
final class Exchange implements HttpExchange {

    /** Above this many unread body bytes, a finished request closes its connection rather than discard them. */
    static final long DISCARD_LIMIT = 1024 * 1024;
    private static final int MAX_URI_CHANGES = 10;

    enum BodyMode { NONE, FIXED, CHUNKED, CLOSE_DELIMITED }

    final Connection conn;
    final RequestHead head;
    private final Request request;
    private final Response response = new Response();
    private final long startNanos = System.nanoTime();
    private final ServerConfig server;
    private Location location;
    private Pipeline pipeline;
    private int index;
    private int uriChangesLeft = MAX_URI_CHANGES + 1;
    /** {@link Request#uriChanges()} when the location was chosen or kept: a rewrite since selects it again. */
    private int matchedUriChanges;
    private String locationUriBytes;
    private java.util.regex.MatchResult rewriteCaptures;
    private int accessCode;
    private boolean errorPageUsed;
    private int errStatus;
    private int resumeToken;
    /** A handler's result is pending (or it runs blocking, or the body is awaited): no step runs meanwhile. */
    private boolean waiting;
    private Map<Object, Object> attributes;

    boolean finished;
    boolean headersSent;
    private boolean logged;
    boolean keepAlive;
    boolean forceClose;
    BodyMode bodyMode = BodyMode.NONE;
    long bodyBytesSent;
    long headBytesSent;
    /** The encoded status line and headers, not yet written. */
    ByteBuf pendingHead;
    private static final int MERGE_LIMIT = 2048;

    private CompositeByteBuf body;
    long bodyReceived;
    boolean bodyComplete;
    private boolean waitingBody;
    private boolean continueSent;
    private boolean rewrittenInLocation;
    private RequestBodyListener streamer;

    Exchange(Connection conn, RequestHead head, ServerConfig server, Request request) {
        this.conn = conn;
        this.head = head;
        this.server = server;
        this.request = request;
        this.location = server.scope();
        this.pipeline = location.compiled();
        this.bodyComplete = head == null || !head.hasBody();
    }

    // ---- request entry points -------------------------------------------------------------

    /** Starts a parsed request: hooks uriRaw and uriClean, then the phases. */
    void start(boolean uriValid) {
        HookResult r = conn.runtime.walk(h -> h.uriRaw(this));
        if (!r.goOn()) {
            finish(Result.status(r.status()));
            return;
        }
        if (!uriValid) {
            forceClose = true;
            finish(Result.status(400));
            return;
        }
        r = conn.runtime.walk(h -> h.uriClean(this));
        if (!r.goOn()) {
            finish(Result.status(r.status()));
            return;
        }
        if (request.method().equals("TRACE")) {
            // nginx refuses TRACE before any phase runs, and closes
            Log.LOG.info("client sent TRACE method");
            forceClose = true;
            finish(Result.status(405));
            return;
        }
        run();
    }

    /** Answers a request that could not be parsed, then the connection closes. */
    void reject(int status) {
        forceClose = true;
        finish(Result.status(status));
    }

    // ---- the phase runner -----------------------------------------------------------------

    private void run() {
        while (!finished && !waiting) {
            Step s = pipeline.step(index);
            switch (s.checker()) {
                case FIND_CONFIG -> findConfig();
                case POST_REWRITE -> {
                    if (request.uriChanges() != matchedUriChanges) {
                        if (--uriChangesLeft == 0) {
                            Log.LOG.error("rewrite or internal redirection cycle while processing \"{}\"", request.uri());
                            finish(Result.ERROR);
                        } else {
                            pipeline = server.scope().compiled();
                            index = pipeline.findConfigIndex();
                        }
                    } else {
                        index++;
                    }
                }
                case POST_ACCESS -> {
                    if (accessCode != 0) {
                        finish(Result.status(accessCode));
                    } else {
                        index++;
                    }
                }
                case READ_BODY -> {
                    if (!readBody()) {
                        return;
                    }
                    index++;
                }
                // nothing answered (nginx's core content phase): a directory is forbidden, else 404
                case NO_CONTENT -> finish(Result.status(request.uriBytes().endsWith("/") ? 403 : 404));
                default -> {
                    HandlerDefinition h = s.handler();
                    if (h.blocking()) {
                        runBlocking(s);
                        return;
                    }
                    Result r = invoke(h);
                    if (r.isPending()) {
                        await(s, r);
                        return;
                    }
                    apply(s, r);
                }
            }
        }
    }

    private Result invoke(HandlerDefinition h) {
        try {
            Result r = h.handler().handle(this);
            if (r == null) {
                Log.LOG.error("handler {} returned null", h.name());
                return Result.ERROR;
            }
            return r;
        } catch (Throwable t) {
            Log.error("handler " + h.name() + " failed on " + request.method() + " " + request.rawUri(), t);
            return Result.ERROR;
        }
    }

    /** Applies a handler's result according to its step's checker (nginx's phase checkers). */
    private void apply(Step s, Result r) {
        if (r.isRedirect()) {
            return; // pipeline and index were moved by internalRedirect
        }
        switch (s.checker()) {
            case ACCESS -> {
                CoreConfig core = location.config(CoreModule.CONFIG);
                boolean any = core.satisfy() == CoreConfig.Satisfy.ANY;
                if (r.isOk()) {
                    if (any) {
                        accessCode = 0;
                        response.headers().remove(HttpHeaderNames.WWW_AUTHENTICATE); // a refusal's challenge no longer holds
                        index = s.next();
                    } else {
                        index++;
                    }
                } else if (r.isDeclined()) {
                    index++;
                } else if (any && r.isStatus() && (r.status() == 403 || r.status() == 401)) {
                    if (accessCode != 401) {
                        accessCode = r.status();
                    }
                    index++;
                } else {
                    finish(r);
                }
            }
            case CONTENT_HANDLER, CONTENT -> {
                if (r.isDeclined()) {
                    index++;
                } else {
                    finish(r);
                }
            }
            default -> {
                if (r.isOk()) {
                    index = s.next();
                } else if (r.isDeclined()) {
                    index++;
                } else {
                    finish(r);
                }
            }
        }
    }

    private void await(Step s, Result pending) {
        int token = ++resumeToken;
        waiting = true;
        pending.stage().whenComplete((result, error) -> {
            EventLoop loop = eventLoop();
            if (loop.inEventLoop()) {
                resume(token, s, result, error);
            } else {
                loop.execute(() -> resume(token, s, result, error));
            }
        });
    }

    private void runBlocking(Step s) {
        int token = ++resumeToken;
        HandlerDefinition h = s.handler();
        waiting = true;
        try {
            conn.runtime.blocking.execute(() -> {
                Result r = invoke(h);
                eventLoop().execute(() -> resume(token, s, r, null));
            });
        } catch (RejectedExecutionException e) {
            Log.LOG.warn("blocking executor is full; answering 503 for {}", h.name());
            waiting = false;
            finish(Result.status(503));
        }
    }

    private void resume(int token, Step s, Result result, Throwable error) {
        if (token != resumeToken || finished) {
            return;
        }
        resumeToken++;
        waiting = false;
        Result r = result;
        if (error != null) {
            Log.error("handler " + s.handler().name() + " completed exceptionally", error);
            r = Result.ERROR;
        } else if (r == null) {
            r = Result.ERROR;
        }
        if (r.isPending()) {
            await(s, r);
            return;
        }
        apply(s, r);
        run();
        conn.flushIfNeeded();
    }

    @Override
    public java.util.regex.MatchResult rewriteCaptures() {
        return rewriteCaptures;
    }

    @Override
    public void rewriteCaptures(java.util.regex.MatchResult captures) {
        rewriteCaptures = captures;
    }

    @Override
    public String locationUriBytes() {
        return locationUriBytes != null ? locationUriBytes : request.uriBytes();
    }

    private void findConfig() {
        locationUriBytes = request.uriBytes();
        rewriteCaptures = null;
        Location l = server.select(request.uriBytes());
        matchedUriChanges = request.uriChanges();
        rewrittenInLocation = false;
        accessCode = 0;
        if (l == null) {
            // nginx: no location matched, the server block's own configuration serves the request
            location = server.scope();
            pipeline = location.compiled();
            index = pipeline.findConfigIndex() + 1;
        } else {
            location = l;
            pipeline = l.compiled();
            index = 0;
        }
        long limit = location.config(CoreModule.CONFIG).clientMaxBodySize().bytes();
        if (limit > 0 && head != null && head.contentLength() > limit) {
            Log.LOG.info("client intended to send too large body: {} bytes", head.contentLength());
            forceClose = true;
            finish(Result.status(413));
        }
    }

    @Override
    public void keepLocation() {
        matchedUriChanges = request.uriChanges();
        rewrittenInLocation = true;
    }

    @Override
    public boolean uriRewrittenInLocation() {
        return rewrittenInLocation;
    }

    @Override
    public Result internalRedirect(String uri, String args) {
        if (--uriChangesLeft == 0) {
            Log.LOG.error("rewrite or internal redirection cycle while internally redirecting to \"{}\"", uri);
            return Result.ERROR;
        }
        attributes = null;
        rewrittenInLocation = false;
        if (uri.startsWith("@")) {
            Location named = server.named(uri);
            if (named == null) {
                Log.LOG.error("could not find named location \"{}\"", uri);
                return Result.ERROR;
            }
            location = named;
            pipeline = named.compiled();
            index = 0;
            matchedUriChanges = request.uriChanges(); // a named location keeps the URI as it is (try-files' too)
            return Result.REDIRECTED;
        }
        request.setUri(uri, args);
        location = server.scope();
        pipeline = location.compiled();
        index = pipeline.serverRewriteIndex();
        return Result.REDIRECTED;
    }

    // ---- the request body -----------------------------------------------------------------

    private long bodyLimit() {
        return location.config(CoreModule.CONFIG).clientMaxBodySize().bytes();
    }

    /** True when the body is complete (or being streamed); false when waiting for it. */
    private boolean readBody() {
        if (bodyComplete || streamer != null) {
            request.body(body == null ? Unpooled.EMPTY_BUFFER : body);
            return true;
        }
        if (head.expectContinue() && !continueSent && bodyReceived == 0) {
            continueSent = true;
            conn.writeContinue();
        }
        waitingBody = true;
        waiting = true;
        conn.transition(ConnectionState.READ_POST);
        conn.armBodyTimeout(location.config(CoreModule.CONFIG).clientBodyTimeout());
        conn.requestRead();
        return false;
    }

    boolean wantsBody() {
        return !bodyComplete && (waitingBody || streamer != null || finished);
    }

    void onBodyData(ByteBuf data) {
        bodyReceived += data.readableBytes();
        long limit = bodyLimit();
        if (finished) {
            data.release();
            if (bodyReceived > Math.max(limit, DISCARD_LIMIT)) {
                conn.close();
            }
            return;
        }
        if (limit > 0 && bodyReceived > limit) {
            data.release();
            Log.LOG.info("client intended to send too large chunked body: more than {} bytes", limit);
            forceClose = true;
            finish(Result.status(413));
            return;
        }
        if (waitingBody) {
            conn.armBodyTimeout(location.config(CoreModule.CONFIG).clientBodyTimeout());
        }
        if (streamer != null) {
            try {
                streamer.onData(data);
            } catch (RuntimeException e) {
                Log.error("request body listener failed", e);
            } finally {
                data.release();
            }
            return;
        }
        if (body == null) {
            body = conn.alloc().compositeBuffer(64);
        }
        body.addComponent(true, data);
    }

    void onBodyEnd() {
        bodyComplete = true;
        if (finished) {
            conn.bodyDrained(this);
            return;
        }
        if (streamer != null) {
            try {
                streamer.onEnd();
            } catch (RuntimeException e) {
                Log.error("request body listener failed", e);
            }
        }
        if (waitingBody) {
            waitingBody = false;
            waiting = false;
            conn.disarmTimeout();
            conn.transition(ConnectionState.HANDLE_REQUEST);
            request.body(body == null ? Unpooled.EMPTY_BUFFER : body);
            index++;
            run();
            conn.flushIfNeeded();
        }
    }

    /** The body could not be parsed (bad chunk framing) or the client went away mid-body. */
    void onBodyError(int status) {
        forceClose = true;
        if (streamer != null) {
            streamer.onError(new IllegalStateException("request body failed: " + status));
        }
        if (!finished) {
            finish(Result.status(status));
        } else {
            conn.close(); // the body being discarded is broken: framing is lost
        }
    }

    @Override
    public void streamRequestBody(RequestBodyListener listener) {
        if (streamer != null || request.body().isReadable()) {
            throw new IllegalStateException("the request body is already being read");
        }
        streamer = listener;
        if (body != null) {
            CompositeByteBuf buffered = body;
            body = null;
            try {
                listener.onData(buffered);
            } finally {
                buffered.release();
            }
        }
        if (bodyComplete) {
            listener.onEnd();
        } else {
            conn.requestRead();
        }
    }

    // ---- finishing ------------------------------------------------------------------------

    /** nginx's finalize: a status goes through error pages, OK and DONE send the response as set. */
    void finish(Result r) {
        if (finished) {
            return;
        }
        if (r.isOk() || r.isDone()) {
            send();
            return;
        }
        int status = r.status();
        if (status == 444) { // nginx's "close the connection without a response"
            finished = true;
            response.status(444);
            forceClose = true;
            complete();
            return;
        }
        if (closesConnection(status)) {
            forceClose = true; // decided by the error itself, before any error page answers it (nginx)
        }
        if (!errorPageUsed && status >= 300 && redirectToErrorPage(status)) {
            return;
        }
        errorResponse(status);
    }

    /** The errors after which nginx closes the connection (its special response handler). */
    private static boolean closesConnection(int status) {
        return switch (status) {
            case 400, 408, 413, 414, 431, 500, 501, 505 -> true;
            default -> false;
        };
    }

    private boolean redirectToErrorPage(int status) {
        ErrorPage page = null;
        for (ErrorPage p : location.config(CoreModule.CONFIG).errorPage()) {
            if (p.codes().contains(status)) {
                page = p;
                break;
            }
        }
        if (page == null) {
            return false;
        }
        errorPageUsed = true;
        // nginx keeps the headers set so far (a return's Location, auth-basic's WWW-Authenticate)
        // through the error page; only the body and what describes it go
        response.clearBody();
        response.headers().remove(HttpHeaderNames.CONTENT_TYPE);
        response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        response.status(200);
        String target = page.target();
        if (target.startsWith("http://") || target.startsWith("https://")) {
            int code = page.override() >= 301 && page.override() <= 308 ? page.override() : 302;
            response.header(HttpHeaderNames.LOCATION, target);
            errorResponse(code);
            return true;
        }
        errStatus = page.override() == -1 ? status : page.override();
        if (!request.isHead() && !target.startsWith("@")) {
            request.setMethod("GET"); // nginx: a URI error page is fetched with GET; a named location keeps the method
        }
        String args = "";
        int q = target.indexOf('?');
        if (q >= 0) {
            args = target.substring(q + 1);
            target = target.substring(0, q);
        }
        Result r = internalRedirect(target, args);
        if (!r.isRedirect()) {
            errStatus = 0;
            errorResponse(r.status());
            return true;
        }
        run();
        return true;
    }

    private void errorResponse(int status) {
        if (headersSent) {
            forceClose = true;
            keepAlive = false;
            finished = true;
            conn.close();
            complete();
            return;
        }
        if (closesConnection(status)) {
            forceClose = true;
        }
        errStatus = 0; // the latest error's status wins over an error page's
        response.clearBody();
        response.headers().remove(HttpHeaderNames.CONTENT_TYPE);
        response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        response.status(status);
        ByteBuf page = StatusText.page(status);
        if (page != null) {
            response.contentType("text/html").body(page);
        } else {
            response.contentLength(0);
        }
        send();
    }

    /** Sends the response through the header and body filter chains. */
    private void send() {
        finished = true;
        waitingBody = false;
        if (errStatus > 0) {
            response.status(errStatus);
        }
        if (response.status() == 405 && !response.headers().contains(HttpHeaderNames.ALLOW)) {
            // RFC 9110 §15.5.6 requires Allow on a 405 (nginx sends none): what every resource answers
            response.header(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        decideKeepAlive();
        announceDiscard();
        conn.transition(ConnectionState.RESPONSE_START);
        HookResult hr = conn.runtime.walk(h -> h.responseStart(this));
        if (hr.isError()) {
            response.reset();
            response.status(500).contentType("text/html").body(StatusText.page(500));
            keepAlive = false;
        }
        try {
            conn.runtime.headerChain.next(this);
            if (!headersSent) {
                // a header filter stopped the chain: nothing goes out
                forceClose = true;
                keepAlive = false;
                complete();
                return;
            }
            if ((response.file() != null || response.pieces() != null) && bodyMode != BodyMode.NONE) {
                java.util.List<Response.Piece> pieces = response.takePieces();
                if (conn.runtime.bodyFiltersNeedBytes(this)) {
                    new FileStreamer(this, pieces).start();
                } else {
                    conn.writePieces(pieces, location.config(CoreModule.CONFIG).tcpNopush());
                    complete();
                }
                return;
            }
            ByteBuf b = response.takeBody();
            conn.runtime.bodyChain.next(this, b == null ? Unpooled.EMPTY_BUFFER : b, true);
        } catch (Throwable t) {
            Log.error("output filter failed on " + request.method() + " " + request.rawUri(), t);
            if (!headersSent) {
                response.reset();
                finished = false;
                errorPageUsed = true;
                errorResponse(500);
            } else {
                conn.close();
                complete();
            }
        }
    }

    private void decideKeepAlive() {
        CoreConfig core = location.config(CoreModule.CONFIG);
        boolean ka = head != null && head.keepAlive() && !forceClose && !conn.inputShutdown && !conn.runtime.draining
                && core.keepaliveTimeout().toMillis() > 0 && conn.requests() < core.keepaliveRequests();
        if (ka && !bodyComplete) {
            boolean tooMuchLeft = head.chunked() ? bodyReceived > DISCARD_LIMIT
                    : head.contentLength() - bodyReceived > DISCARD_LIMIT;
            ka = !tooMuchLeft;
        }
        keepAlive = ka;
    }

    /**
     * nginx's discard of a body the client was asked to hold back (Expect: 100-continue): 100
     * Continue goes out before the answer, so that the client sends the body, which is read and
     * dropped after it; only when the connection stays open for the next request.
     */
    private void announceDiscard() {
        if (keepAlive && !bodyComplete && head.expectContinue() && !continueSent && bodyReceived == 0) {
            continueSent = true;
            conn.writeContinue();
        }
    }

    /**
     * Writes response bytes, the head first: a small first piece is copied into the head's
     * buffer so that a small response leaves as one buffer. {@code null} only flushes out a
     * head still pending.
     */
    void output(Object msg) {
        ByteBuf head = pendingHead;
        if (head != null) {
            pendingHead = null;
            if (msg instanceof ByteBuf b && b.readableBytes() <= MERGE_LIMIT) {
                head.writeBytes(b);
                b.release();
                conn.write(head);
                return;
            }
            conn.write(head);
        }
        if (msg != null) {
            conn.write(msg);
        }
    }

    /** Called by the engine's body writer after the last chunk: RESPONSE_END, LOG, hooks, next request. */
    void complete() {
        if (conn.state() != ConnectionState.WRITE) {
            conn.transition(ConnectionState.RESPONSE_START); // ended without a response (444, a stopped filter)
        }
        conn.transition(ConnectionState.RESPONSE_END);
        log();
        conn.runtime.walk(h -> h.requestDone(this));
        releaseBody();
        conn.runtime.walk(h -> h.requestReset(this));
        conn.afterResponse(this);
    }

    /** Ends a request whose connection failed or timed out; the status is what LOG sees. */
    void abort(int status) {
        if (logged) {
            return;
        }
        if (!headersSent) {
            response.clearBody();
            response.status(status);
        }
        finished = true;
        resumeToken++;
        log();
        conn.runtime.walk(h -> h.requestDone(this));
        releaseBody();
    }

    private void log() {
        if (logged) {
            return;
        }
        logged = true;
        Pipeline p = location.compiled();
        for (HandlerDefinition h : p.logHandlers()) {
            try {
                h.handler().handle(this);
            } catch (Throwable t) {
                Log.error("log handler " + h.name() + " failed", t);
            }
        }
    }

    private void releaseBody() {
        if (pendingHead != null) { // a response abandoned after its head was encoded
            pendingHead.release();
            pendingHead = null;
        }
        if (body != null) {
            body.release();
            body = null;
        }
        request.body(Unpooled.EMPTY_BUFFER);
        response.clearBody();
    }

    // ---- HttpExchange ---------------------------------------------------------------------

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Response response() {
        return response;
    }

    @Override
    public ServerConfig server() {
        return server;
    }

    @Override
    public Location location() {
        return location;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attribute(Object key) {
        return attributes == null ? null : (T) attributes.get(key);
    }

    @Override
    public void attribute(Object key, Object value) {
        if (attributes == null) {
            attributes = new HashMap<>();
        }
        attributes.put(key, value);
    }

    @Override
    public EventLoop eventLoop() {
        return conn.eventLoop();
    }

    @Override
    public boolean headersSent() {
        return headersSent;
    }

    @Override
    public dev.modhttp.engine.module.ConnectionInfo connection() {
        return conn;
    }

    @Override
    public long requestLength() {
        return (head == null ? 0 : head.length()) + bodyReceived;
    }

    @Override
    public long bodyBytesSent() {
        return bodyBytesSent;
    }

    @Override
    public long bytesSent() {
        return headBytesSent + bodyBytesSent;
    }

    boolean isHttp10() {
        return request.version() == HttpVersion.HTTP_1_0;
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public String toString() {
        return request.method() + " " + request.rawUri() + " -> " + location;
    }
}
