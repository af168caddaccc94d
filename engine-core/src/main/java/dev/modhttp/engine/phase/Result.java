package dev.modhttp.engine.phase;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link Handler} answers, nginx's handler return codes.
 *
 * <table>
 *   <caption>Results</caption>
 *   <tr><td>{@link #OK}</td><td>done with this phase (in CONTENT: the response is set)</td></tr>
 *   <tr><td>{@link #DECLINED}</td><td>not mine: ask the next handler</td></tr>
 *   <tr><td>{@link #DONE}</td><td>the response is complete: skip to LOG</td></tr>
 *   <tr><td>{@link #status(int)}</td><td>300 and above: finish with that status (error pages apply)</td></tr>
 *   <tr><td>{@link #ERROR}</td><td>finish with 500</td></tr>
 *   <tr><td>{@link #pending(CompletionStage)}</td><td>wait; the request resumes on its event loop with the stage's result</td></tr>
 *   <tr><td>{@link #internalRedirect(String, String)}</td><td>continue the request at another URI or named location</td></tr>
 * </table>
 *
 * <pre>{@code
 * Handler h = exchange -> exchange.request().header("X-Token") == null
 *         ? Result.status(401)
 *         : Result.OK;
 * }</pre>
 */
public final class Result {

    enum Kind { OK, DECLINED, DONE, STATUS, ERROR, PENDING, REDIRECT }

    public static final Result OK = new Result(Kind.OK, 0, null);
    public static final Result DECLINED = new Result(Kind.DECLINED, 0, null);
    public static final Result DONE = new Result(Kind.DONE, 0, null);
    public static final Result ERROR = new Result(Kind.ERROR, 500, null);

    private static final Result[] STATUSES = new Result[600];

    static {
        for (int i = 100; i < STATUSES.length; i++) {
            STATUSES[i] = new Result(Kind.STATUS, i, null);
        }
    }

    private final Kind kind;
    private final int status;
    private final CompletionStage<Result> stage;
    private final String uri;
    private final String args;

    private Result(Kind kind, int status, CompletionStage<Result> stage) {
        this(kind, status, stage, null, null);
    }

    private Result(Kind kind, int status, CompletionStage<Result> stage, String uri, String args) {
        this.kind = kind;
        this.status = status;
        this.stage = stage;
        this.uri = uri;
        this.args = args;
    }

    /** Finish the request with this HTTP status (for example 404, 403, 503). */
    public static Result status(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        return status < STATUSES.length ? STATUSES[status] : new Result(Kind.STATUS, status, null);
    }

    /**
     * A result that arrives later, completed from any thread. When the request ends first (the
     * client went away), the result is ignored, and a {@link java.util.concurrent.CompletableFuture}
     * stage is cancelled so that its producer can stop.
     */
    public static Result pending(CompletionStage<Result> stage) {
        return new Result(Kind.PENDING, 0, Objects.requireNonNull(stage, "stage"));
    }

    /**
     * Continues the request at {@code uri} with the query string {@code args} (without {@code ?};
     * empty or null for none), from SERVER_REWRITE, as nginx's internal redirect does; or, for
     * {@code uri} {@code @name}, at that named location from its REWRITE, the URI unchanged.
     * Counts toward nginx's limit of 10 URI changes per request; past it, or for an unknown
     * named location, the request ends in 500 (logged).
     */
    public static Result internalRedirect(String uri, String args) {
        return new Result(Kind.REDIRECT, 0, null, Objects.requireNonNull(uri, "uri"), args == null ? "" : args);
    }

    public boolean isOk() {
        return kind == Kind.OK;
    }

    public boolean isDeclined() {
        return kind == Kind.DECLINED;
    }

    public boolean isDone() {
        return kind == Kind.DONE;
    }

    public boolean isError() {
        return kind == Kind.ERROR;
    }

    public boolean isStatus() {
        return kind == Kind.STATUS;
    }

    public boolean isPending() {
        return kind == Kind.PENDING;
    }

    public boolean isRedirect() {
        return kind == Kind.REDIRECT;
    }

    /** The HTTP status of a status result (500 for ERROR), else 0. */
    public int status() {
        return status;
    }

    /** The target URI (or {@code @name}) of an internal redirect, else null. */
    public String redirectUri() {
        return uri;
    }

    /** The query string of an internal redirect, else null. */
    public String redirectArgs() {
        return args;
    }

    /** The stage of a pending result, else null. */
    public CompletionStage<Result> stage() {
        return stage;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case STATUS -> Integer.toString(status);
            case PENDING -> "PENDING";
            case REDIRECT -> "REDIRECT " + uri + (args.isEmpty() ? "" : "?" + args);
            default -> kind.name();
        };
    }
}
