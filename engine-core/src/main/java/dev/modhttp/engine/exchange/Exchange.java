package dev.modhttp.engine.exchange;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.SslConfig;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.http.ConnectionInfo;
import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Result;
import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.MatchResult;

/**
 * One request, whatever protocol brought it: nginx's request object and the
 * {@link HttpExchange} that handlers, filters and hooks see. Its parts do the work: the
 * {@link PhaseEngine} walks the phases and acts on handlers' results, the {@link Finalizer}
 * turns a final result into a response (error pages), {@link RequestBody} reads the body and
 * the {@link ResponseWriter} sends the response through the {@link Transport}.
 *
 * <p>A protocol creates one per request and calls {@link #start} (or {@link #reject}), feeds
 * the body to {@link #body()}, and calls {@link #abort} when the connection fails. Everything
 * runs on the transport's event loop; pending and blocking results come back to it there.
 */
public final class Exchange implements HttpExchange {

    final EngineRuntime runtime;
    final Transport transport;
    private Runnable clientCloseAction;
    final RequestFraming framing;
    final ServerConfig server;
    private final Request request;
    private final Response response = new Response();
    private final long startNanos = System.nanoTime();
    final PhaseEngine phases;
    final Finalizer finalizer;
    final RequestBody body;
    final ResponseWriter writer;

    /** The selected location; the server scope until FIND_CONFIG (and when none matched). */
    Location location;
    /** The URI bytes the location was selected with (see {@link #locationUriBytes()}). */
    String locationUriBytes;
    MatchResult rewriteCaptures;
    /** {@link #earlierCaptures()}: set by the phases as the request leaves a location. */
    MatchResult[] earlierCaptures;
    boolean rewrittenInLocation;
    /** Keys and values in turn ({@code key0, value0, key1, ...}); a request holds a few, so no hash map. */
    Object[] attributes;

    boolean finished;
    private boolean logged;
    private boolean keepAlive;
    boolean forceClose;

    public Exchange(EngineRuntime runtime, Transport transport, RequestFraming framing, ServerConfig server,
            Request request) {
        this.runtime = runtime;
        this.transport = transport;
        this.framing = framing;
        this.server = server;
        this.request = request;
        this.location = server.scope();
        this.phases = new PhaseEngine(this);
        this.finalizer = new Finalizer(this);
        this.body = new RequestBody(this);
        this.writer = new ResponseWriter(this);
        runtime.started();
    }

    // ---- entry points for the protocol ----------------------------------------------------

    /** Starts a parsed request: hooks uriRaw and uriClean, then the phases. */
    public void start(boolean uriValid) {
        HookResult r = runtime.walk(this, Hook::uriRaw);
        if (!r.goOn()) {
            finalizer.finish(Result.status(r.status()));
            return;
        }
        if (!uriValid) {
            forceClose = true;
            finalizer.finish(Result.status(400));
            return;
        }
        r = runtime.walk(this, Hook::uriClean);
        if (!r.goOn()) {
            finalizer.finish(Result.status(r.status()));
            return;
        }
        if (request.method().equals("TRACE")) {
            // nginx refuses TRACE before any phase runs, and closes
            Log.LOG.info("client sent TRACE method");
            forceClose = true;
            finalizer.finish(Result.status(405));
            return;
        }
        int certificate = clientCertificateStatus();
        if (certificate != 0) {
            forceClose = true;
            finalizer.finish(Result.status(certificate));
            return;
        }
        phases.run();
    }

    /**
     * nginx's client certificate check as a request starts, by the request's server's
     * {@code ssl-verify-client}: 496 ("No required SSL certificate was sent") when {@code on} and
     * there is none, 495 ("The SSL certificate error") when {@code on} or {@code optional} and it
     * did not verify; both go out as 400 with nginx's page, and {@code error-page} sees them.
     */
    private int clientCertificateStatus() {
        if (transport.connection().sslSession() == null) {
            return 0;
        }
        SslConfig.VerifyClient mode = server.scope().config(CoreModule.SSL).sslVerifyClient();
        if (mode == SslConfig.VerifyClient.OFF || mode == SslConfig.VerifyClient.OPTIONAL_NO_CA) {
            return 0;
        }
        String verdict = transport.connection().sslClientVerify();
        if (verdict.equals("NONE")) {
            if (mode == SslConfig.VerifyClient.ON) {
                Log.LOG.info("client sent no required SSL certificate");
                return 496;
            }
            return 0;
        }
        if (verdict.startsWith("FAILED")) {
            Log.LOG.info("client SSL certificate verify error: {}", verdict.substring(7));
            return 495;
        }
        return 0;
    }

    /** Answers a request that could not be parsed; the connection closes after it. */
    public void reject(int status) {
        forceClose = true;
        finalizer.finish(Result.status(status));
    }

    /** The request body as the protocol feeds it. */
    public RequestBody body() {
        return body;
    }

    @Override
    public void onClientClose(Runnable action) {
        clientCloseAction = action;
    }

    /**
     * The client closed its side of the connection while this request is handled: a body cut
     * short is a 400; a request that asked ({@link #onClientClose}) ends with 499; any other goes on.
     */
    public void clientClosedInput() {
        if (!body.complete()) {
            body.onError(400);
        } else if (clientCloseAction != null && !finished) {
            try {
                clientCloseAction.run();
            } catch (RuntimeException e) {
                Log.error("client close action failed", e);
            }
            abort(499);
            transport.close();
        }
    }

    /** Ends a request whose connection failed or timed out; the status is what LOG sees. */
    public void abort(int status) {
        if (logged) {
            return;
        }
        if (!writer.headersSent()) {
            response.clearBody();
            response.status(status);
        }
        finished = true;
        phases.cancel();
        log();
        runtime.walk(this, Hook::requestDone);
        release();
    }

    /** Whether a final response was decided (it may still be going out). */
    public boolean finished() {
        return finished;
    }

    /** Whether the connection carries another request after this one. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Set by the protocol when the response starts, and when its framing needs the connection to end. */
    public void keepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
    }

    /** Whether the request's own error decided that the connection ends (nginx's special responses). */
    public boolean forceClose() {
        return forceClose;
    }

    // ---- the end of a request -------------------------------------------------------------

    /**
     * After the last body byte was written: RESPONSE_END, LOG, hooks, then the protocol goes on.
     * A request ends once: nothing after an abort ended it (a completion that comes late, as an
     * HTTP/2 stream's last write may complete after the client reset the stream).
     */
    void complete() {
        if (logged) {
            return;
        }
        if (transport.connection().state() != ConnectionState.WRITE) {
            transport.transition(ConnectionState.RESPONSE_START); // ended without a response (444, a stopped filter)
        }
        transport.transition(ConnectionState.RESPONSE_END);
        log();
        runtime.walk(this, Hook::requestDone);
        release();
        runtime.walk(this, Hook::requestReset);
        transport.responseDone(this);
    }

    private void log() {
        if (logged) {
            return;
        }
        logged = true;
        for (HandlerDefinition h : runtime.pipeline(location).logHandlers()) {
            try {
                h.handler().handle(this);
            } catch (Throwable t) {
                Log.error("log handler " + h.name() + " failed", t);
            }
        }
        runtime.ended(); // its generation may retire once replaced: LOG has used its writers
    }

    private void release() {
        writer.release();
        body.release();
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
    public void keepLocation() {
        phases.keepLocation();
    }

    @Override
    public boolean uriRewrittenInLocation() {
        return rewrittenInLocation;
    }

    @Override
    public String locationUriBytes() {
        return locationUriBytes != null ? locationUriBytes : request.uriBytes();
    }

    @Override
    public MatchResult[] earlierCaptures() {
        return earlierCaptures;
    }

    @Override
    public int errorPageStatus() {
        return finalizer.statusOverride();
    }

    @Override
    public MatchResult rewriteCaptures() {
        return rewriteCaptures;
    }

    @Override
    public void rewriteCaptures(MatchResult captures) {
        rewriteCaptures = captures;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attribute(Object key) {
        Object[] a = attributes;
        if (a != null) {
            for (int i = 0; i < a.length && a[i] != null; i += 2) {
                if (a[i].equals(key)) {
                    return (T) a[i + 1];
                }
            }
        }
        return null;
    }

    @Override
    public void attribute(Object key, Object value) {
        Objects.requireNonNull(key, "key");
        Object[] a = attributes;
        if (a == null) {
            attributes = a = new Object[4]; // two attributes: the common case
        }
        int i = 0;
        while (i < a.length && a[i] != null && !a[i].equals(key)) {
            i += 2;
        }
        if (i == a.length) {
            attributes = a = Arrays.copyOf(a, a.length * 2);
        }
        a[i] = key;
        a[i + 1] = value;
    }

    /** An internal redirect: every attribute goes but those under a {@link KeptKey}. */
    void clearAttributesOnRedirect() {
        Object[] a = attributes;
        if (a == null) {
            return;
        }
        int kept = 0;
        for (int i = 0; i < a.length && a[i] != null; i += 2) {
            if (a[i] instanceof KeptKey) {
                a[kept] = a[i];
                a[kept + 1] = a[i + 1];
                kept += 2;
            }
        }
        Arrays.fill(a, kept, a.length, null);
        attributes = kept == 0 ? null : a;
    }

    @Override
    public EventLoop eventLoop() {
        return transport.eventLoop();
    }

    @Override
    public boolean headersSent() {
        return writer.headersSent();
    }

    @Override
    public ConnectionInfo connection() {
        return transport.connection();
    }

    @Override
    public long requestLength() {
        return framing.length() + body.received();
    }

    @Override
    public long bodyBytesSent() {
        return writer.bodyBytesSent();
    }

    /** Bytes the connection's tunnel wrote to the client after the 101, counted in {@link #bodyBytesSent()}. */
    public void tunneled(long bytes) {
        writer.tunneled(bytes);
    }

    @Override
    public long bytesSent() {
        return writer.headBytesSent() + writer.bodyBytesSent();
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public RequestBodyStream streamRequestBody(RequestBodyListener listener) {
        return body.stream(listener);
    }

    @Override
    public RequestBodyStream requestBodyStream() {
        return body.streamControl();
    }

    @Override
    public String toString() {
        return request.method() + " " + request.rawUri() + " -> " + location;
    }
}
