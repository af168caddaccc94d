package dev.modhttp.engine.exchange;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.exchange.Pipeline.Step;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * nginx's phase engine for one request: walks the compiled {@link Pipeline} step by step and
 * acts on every handler's {@link Result} as nginx's phase checkers do ({@link #apply}). Pending
 * and blocking handlers suspend the walk; their results resume it on the event loop. Selecting
 * the location (FIND_CONFIG), re-selecting it after a rewrite (POST_REWRITE), internal
 * redirects and the satisfy rule of ACCESS live here. A final result goes to the
 * {@link Finalizer}.
 */
final class PhaseEngine {

    private static final int MAX_URI_CHANGES = 10;

    private final Exchange ex;
    private final Request request;
    private final ServerConfig server;
    private Pipeline pipeline;
    private int index;
    private int uriChangesLeft = MAX_URI_CHANGES + 1;
    /** {@link Request#uriChanges()} when the location was chosen or kept: a rewrite since selects it again. */
    private int matchedUriChanges;
    private int accessCode;
    private int resumeToken;
    /** A handler's result is pending (or it runs blocking, or the body is awaited): no step runs meanwhile. */
    private boolean waiting;
    /** The stage of the pending result awaited now, to cancel when the request ends first. */
    private CompletionStage<Result> awaited;

    PhaseEngine(Exchange ex) {
        this.ex = ex;
        this.request = ex.request();
        this.server = ex.server;
        this.pipeline = ex.runtime.pipeline(server.scope());
    }

    /** Walks steps until the request finishes or waits. */
    void run() {
        while (!ex.finished && !waiting) {
            Step s = pipeline.step(index);
            switch (s.checker()) {
                case FIND_CONFIG -> findConfig();
                case POST_REWRITE -> {
                    if (request.uriChanges() != matchedUriChanges) {
                        if (--uriChangesLeft == 0) {
                            Log.LOG.error("rewrite or internal redirection cycle while processing \"{}\"", request.uri());
                            ex.finalizer.finish(Result.ERROR);
                        } else {
                            pipeline = ex.runtime.pipeline(server.scope());
                            index = pipeline.findConfigIndex();
                        }
                    } else {
                        index++;
                    }
                }
                case POST_ACCESS -> {
                    if (accessCode != 0) {
                        ex.finalizer.finish(Result.status(accessCode));
                    } else {
                        index++;
                    }
                }
                case READ_BODY -> {
                    if (!ex.body.read()) {
                        waiting = true;
                        return;
                    }
                    index++;
                }
                // nothing answered (nginx's core content phase): a directory is forbidden, else 404
                case NO_CONTENT -> ex.finalizer.finish(Result.status(request.uriBytes().endsWith("/") ? 403 : 404));
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

    /** The awaited body is complete: the walk goes on after READ_BODY. */
    void bodyArrived() {
        waiting = false;
        index++;
        run();
    }

    private Result invoke(HandlerDefinition h) {
        try {
            Result r = h.handler().handle(ex);
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

    /** Acts on a handler's result according to its step's checker (nginx's phase checkers). */
    private void apply(Step s, Result r) {
        if (r.isRedirect()) {
            if (!internalRedirect(r.redirectUri(), r.redirectArgs())) {
                ex.finalizer.finish(Result.ERROR);
            }
            return;
        }
        switch (s.checker()) {
            case ACCESS -> {
                boolean any = ex.location.config(CoreModule.CONFIG).satisfy() == CoreConfig.Satisfy.ANY;
                if (r.isOk()) {
                    if (any) {
                        accessCode = 0;
                        ex.response().headers().remove(HttpHeaderNames.WWW_AUTHENTICATE); // a refusal's challenge no longer holds
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
                    ex.finalizer.finish(r);
                }
            }
            case CONTENT_HANDLER, CONTENT -> {
                if (r.isDeclined()) {
                    index++;
                } else {
                    ex.finalizer.finish(r);
                }
            }
            default -> {
                if (r.isOk()) {
                    index = s.next();
                } else if (r.isDeclined()) {
                    index++;
                } else {
                    ex.finalizer.finish(r);
                }
            }
        }
    }

    private void await(Step s, Result pending) {
        int token = ++resumeToken;
        waiting = true;
        awaited = pending.stage();
        pending.stage().whenComplete((result, error) -> {
            EventLoop loop = ex.eventLoop();
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
            ex.runtime.blocking.execute(() -> {
                Result r = invoke(h);
                ex.eventLoop().execute(() -> resume(token, s, r, null));
            });
        } catch (RejectedExecutionException e) {
            Log.LOG.warn("blocking executor is full; answering 503 for {}", h.name());
            waiting = false;
            ex.finalizer.finish(Result.status(503));
        }
    }

    private void resume(int token, Step s, Result result, Throwable error) {
        if (token != resumeToken || ex.finished) {
            return;
        }
        resumeToken++;
        waiting = false;
        awaited = null;
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
        ex.transport.flush();
    }

    /**
     * The request ended (aborted): results still pending are ignored when they arrive, and a
     * pending {@link CompletableFuture} is cancelled so that its handler stops the work.
     */
    void cancel() {
        resumeToken++;
        CompletionStage<Result> stage = awaited;
        awaited = null;
        if (stage instanceof CompletableFuture<Result> f) {
            f.cancel(false);
        }
    }

    /** The body is awaited or the response sent: no step runs any more. */
    void stop() {
        waiting = false;
    }

    /**
     * nginx's keepalive_disable, applied as each location is chosen: the connection ends after
     * this request, whatever later locations say (a server-level return or rewrite answers before
     * any is chosen, and keeps it).
     */
    private void keepaliveDisable() {
        if (ex.location.config(CoreModule.CONFIG).keepaliveDisabledFor(request.method(), request.header("User-Agent"))) {
            ex.forceClose = true;
        }
    }

    private void findConfig() {
        carryCaptures();
        ex.locationUriBytes = request.uriBytes();
        Location l = server.select(request.uriBytes());
        matchedUriChanges = request.uriChanges();
        accessCode = 0; // a server-level "rewrite ... break" keeps rewrittenInLocation (nginx's valid_location) set
        if (l == null) {
            // nginx: no location matched, the server block's own configuration serves the request
            ex.location = server.scope();
            pipeline = ex.runtime.pipeline(ex.location);
            index = pipeline.findConfigIndex() + 1;
            keepaliveDisable();
        } else {
            ex.location = l;
            pipeline = ex.runtime.pipeline(l);
            index = 0;
            keepaliveDisable();
            if (l.redirectsTo(request.uriBytes())) {
                String target = l.name() + (request.args().isEmpty() ? "" : "?" + request.argsText());
                ex.response().header(HttpHeaderNames.LOCATION, request.absoluteUrl(target));
                ex.finalizer.finish(Result.status(301));
                return;
            }
        }
        ex.body.checkDeclaredLength();
    }

    /**
     * Whether the URI may still change: after a redirection cycle it may not, and nginx's special
     * response handler then answers the error itself, without {@code error_page}.
     */
    boolean uriMayChange() {
        return uriChangesLeft > 0;
    }

    /** The captures in force go along as the request leaves its location; a rewrite's start afresh. */
    private void carryCaptures() {
        ex.earlierCaptures = Template.capturesInForce(ex);
        ex.rewriteCaptures = null;
    }

    /** nginx's {@code rewrite ... break}: the changed URI keeps the current location. */
    void keepLocation() {
        matchedUriChanges = request.uriChanges();
        ex.rewrittenInLocation = true;
    }

    /**
     * Continues the request at {@code uri} from SERVER_REWRITE, or at the named location
     * {@code @name} from its REWRITE; counts toward the limit of 10 URI changes.
     *
     * @return false, logged, for a cycle or an unknown named location (the request then ends in 500)
     */
    boolean internalRedirect(String uri, String args) {
        if (--uriChangesLeft == 0) {
            Log.LOG.error("rewrite or internal redirection cycle while internally redirecting to \"{}\"", uri);
            return false;
        }
        ex.clearAttributesOnRedirect();
        ex.rewrittenInLocation = false;
        carryCaptures();
        if (uri.startsWith("@")) {
            Location named = server.named(uri);
            if (named == null) {
                Log.LOG.error("could not find named location \"{}\"", uri);
                return false;
            }
            ex.location = named;
            pipeline = ex.runtime.pipeline(named);
            index = 0;
            keepaliveDisable();
            matchedUriChanges = request.uriChanges(); // a named location keeps the URI as it is (try-files' too)
            return true;
        }
        request.setUri(uri, args);
        ex.location = server.scope();
        pipeline = ex.runtime.pipeline(ex.location);
        index = pipeline.serverRewriteIndex();
        return true;
    }
}
