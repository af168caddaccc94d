package dev.modhttp.engine.exchange;

import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.ErrorPage;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.StatusText;
import dev.modhttp.engine.phase.Result;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;

/**
 * nginx's finalize step for one request: a final {@link Result} becomes a response. OK and
 * DONE send the response as handlers set it; a status goes through the location's
 * {@code error-page}s (once) or becomes the engine's own page; 444 closes without a response;
 * the statuses nginx closes the connection after are marked so.
 */
final class Finalizer {

    private final Exchange ex;
    private final Request request;
    private final Response response;
    private boolean errorPageUsed;
    /** The status an error page's response is sent with (its {@code =code}, or the original error). */
    private int errStatus;
    /** A status answered here (nginx's special response handler): its discarded body is not asked for with 100. */
    private boolean special;

    Finalizer(Exchange ex) {
        this.ex = ex;
        this.request = ex.request();
        this.response = ex.response();
    }

    /** nginx's finalize: a status goes through error pages, OK and DONE send the response as set. */
    void finish(Result r) {
        if (ex.finished) {
            return;
        }
        if (r.isOk() || r.isDone()) {
            ex.writer.send();
            return;
        }
        int status = r.status();
        special = special || status >= 300 || status == 201 || status == 204; // nginx: expect_tested
        if (status == 444) { // nginx's "close the connection without a response"
            ex.finished = true;
            response.status(444);
            ex.forceClose = true;
            ex.complete();
            return;
        }
        if (closesConnection(status)) {
            ex.forceClose = true; // decided by the error itself, before any error page answers it (nginx)
        }
        if (!errorPageUsed && status >= 300 && ex.phases.uriMayChange() && redirectToErrorPage(status)) {
            return;
        }
        errorResponse(status);
    }

    /** Whether a status was answered by the special response path: no 100 Continue goes out to discard its body. */
    boolean special() {
        return special;
    }

    /** The status to send instead of the response's own: an error page's, or 0. */
    int statusOverride() {
        return errStatus;
    }

    /** The errors after which nginx closes the connection (its special response handler). */
    private static boolean closesConnection(int status) {
        return switch (status) {
            case 400, 408, 413, 414, 431, 494, 495, 496, 497, 500, 501, 505 -> true;
            default -> false;
        };
    }

    private boolean redirectToErrorPage(int status) {
        ErrorPage page = null;
        for (ErrorPage p : ex.location.config(CoreModule.CONFIG).errorPage()) {
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
        String target = ex.runtime.errorPageTarget(page, ex);
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
        if (!ex.phases.internalRedirect(target, args)) {
            errStatus = 0;
            errorResponse(500);
            return true;
        }
        ex.phases.run();
        return true;
    }

    /** Answers with the engine's own page for {@code status}; after the head went out, closes instead. */
    void errorResponse(int status) {
        if (ex.writer.headersSent()) {
            ex.forceClose = true;
            ex.keepAlive(false);
            ex.finished = true;
            ex.transport.close();
            ex.complete();
            return;
        }
        if (closesConnection(status)) {
            ex.forceClose = true;
        }
        errStatus = 0; // the latest error's status wins over an error page's
        response.clearBody();
        response.headers().remove(HttpHeaderNames.CONTENT_TYPE);
        response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        // nginx's special response describes its own page: no file's validators, no ranges
        response.headers().remove(HttpHeaderNames.ACCEPT_RANGES);
        response.headers().remove(HttpHeaderNames.LAST_MODIFIED);
        response.headers().remove(HttpHeaderNames.ETAG);
        response.status(StatusText.shown(status));
        ByteBuf page = StatusText.page(status);
        if (page != null) {
            response.contentType("text/html").body(page);
        } else {
            response.contentLength(0);
        }
        ex.writer.send();
    }

    /** An output filter failed before the head went out: a 500, never through error pages. */
    void filterFailed() {
        response.reset();
        ex.finished = false;
        errorPageUsed = true;
        errorResponse(500);
    }
}
