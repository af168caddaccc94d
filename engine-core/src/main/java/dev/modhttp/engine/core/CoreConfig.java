package dev.modhttp.engine.core;

import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.config.Scopes;
import dev.modhttp.engine.config.Size;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The core directives, each written directly at a scope ({@code root: ./public}).
 *
 * <p>Each component is a key; its default and meaning are in its {@link KeyDoc}, from which the README's
 * reference is generated.
 */
public record CoreConfig(
        @KeyDoc(defaultValue = "none (no files served)", meaning = "document root; variables allowed (`/srv/$host`)")
        Path root,
        @KeyDoc(meaning = "replaces the location prefix; in a regex location the whole path, with its captures (`/srv/img/$1`)")
        @Scopes(Scope.LOCATION) Path alias,
        @KeyDoc(defaultValue = "`[index.html]`", meaning = "index files, tried in order")
        List<String> index,
        @KeyDoc(defaultValue = "`1m`", meaning = "larger bodies get 413; `0` = no limit")
        Size clientMaxBodySize,
        @KeyDoc(defaultValue = "`60s`", meaning = "deadline for the whole request head")
        @Scopes({Scope.MAIN, Scope.SERVER}) Duration clientHeaderTimeout,
        @KeyDoc(defaultValue = "`60s`", meaning = "between two reads of the body")
        Duration clientBodyTimeout,
        @KeyDoc(defaultValue = "`16k`", meaning = "a larger body is written to a temporary file as it arrives (logged at "
                + "warn, as nginx does) and handed to the request as `Request.bodyFile()`; `Request.body()` reads such a file "
                + "into memory at its first call")
        Size clientBodyBufferSize,
        @KeyDoc(defaultValue = "the JVM's `java.io.tmpdir`", meaning = "the directory of those files (its last level made at "
                + "startup, as nginx does; one that cannot be made or written fails startup); a file is deleted when its "
                + "request ends")
        Path clientBodyTempPath,
        @KeyDoc(defaultValue = "`off`", meaning = "`on`: every body goes to a file, kept after the request "
                + "(`$request_body_file` names it, for a backend reading it); `clean`: to a file, deleted")
        InFileOnly clientBodyInFileOnly,
        @KeyDoc(defaultValue = "`off`", meaning = "`on`: a body kept in memory is one contiguous buffer (the pieces it "
                + "arrived in copied together once it is complete), for handlers and `$request_body` that read it whole; a "
                + "body past `client-body-buffer-size` still goes to a file, as in nginx")
        Boolean clientBodyInSingleBuffer,
        @KeyDoc(defaultValue = "`60s`", meaning = "while the client does not take the response")
        Duration sendTimeout,
        @KeyDoc(defaultValue = "`75s`", meaning = "idle keep-alive; `0` disables keep-alive")
        Duration keepaliveTimeout,
        @KeyDoc(defaultValue = "`1000`", meaning = "requests per connection")
        Integer keepaliveRequests,
        @KeyDoc(defaultValue = "`[msie6]`", meaning = "browsers whose requests end their connection, as nginx's: `msie6` "
                + "(a POST from Internet Explorer 4 to 6), `safari` (Safari on macOS), or `none`")
        List<KeepaliveDisable> keepaliveDisable,
        @KeyDoc(defaultValue = "`on`", meaning = "after a response that ends its connection, read and drop what the client "
                + "still sends before closing, so that it reads the response rather than a reset (nginx's lingering close; "
                + "over HTTP/2 after the GOAWAY of keepalive-requests or a stop, from the server's scope; an HTTP/2 "
                + "connection idle for keepalive-timeout closes with its GOAWAY, as nginx's does): `on` and `always` while the "
                + "client has not closed its side (`on` is `always` here: the engine cannot see unread bytes waiting in the "
                + "kernel, as nginx's `on` does), `off` closes at once, after the rest of a request body still coming, which "
                + "nginx reads and drops whatever this says")
        LingeringClose lingeringClose,
        @KeyDoc(defaultValue = "`30s`", meaning = "the longest a lingering close goes on, and the longest a keep-alive "
                + "connection reads the rest of a body its response did not need (nginx's discarded body) before it closes")
        Duration lingeringTime,
        @KeyDoc(defaultValue = "`5s`", meaning = "within `lingering-time`, the longest wait for the client's next bytes "
                + "(for the first ones, after the response); without any, the connection closes. `0`: no lingering close")
        Duration lingeringTimeout,
        @KeyDoc(defaultValue = "`\"4 8k\"`", meaning = "request line and each header line fit one buffer, the head `number` "
                + "of them")
        @Scopes({Scope.MAIN, Scope.SERVER}) HeaderBuffers largeClientHeaderBuffers,
        @KeyDoc(meaning = "`[\"404 /404.html\", \"500 502 =200 @fallback\"]`; the URI may hold variables (`/errors/$1.html`)")
        List<ErrorPage> errorPage,
        @KeyDoc(defaultValue = "`all`", meaning = "ACCESS handlers: `all` must allow or `any` may")
        Satisfy satisfy,
        @KeyDoc(defaultValue = "`exact`", meaning = "304 for an If-Modified-Since equal to the file's time (`exact`), that "
                + "time or later (`before`), or never (`off`)")
        IfModifiedSince ifModifiedSince,
        @KeyDoc(defaultValue = "unlimited", meaning = "byte ranges per request (more get the whole file); `0` turns ranges "
                + "off. Several ranges are sent as `multipart/byteranges`, file slices zero-copy")
        Integer maxRanges,
        @KeyDoc(meaning = "`{ wasm: application/wasm }`: extension to type, on top of the built-in table (an inner scope's "
                + "map replaces an outer one)")
        Map<String, String> types,
        @KeyDoc(defaultValue = "`application/octet-stream`", meaning = "type for unknown extensions (as the stock nginx.conf "
                + "sets it)")
        String defaultType,
        @KeyDoc(defaultValue = "`outside-root`", meaning = "`outside-root`: refuse symlinks leading out of the root; `on`: "
                + "refuse any symlink; `off`: follow all (nginx's default)")
        DisableSymlinks disableSymlinks,
        @KeyDoc(defaultValue = "`on`", meaning = "a file's head and first bytes leave in full packets (TCP_CORK around the "
                + "zero-copy send, epoll only), as nginx's tcp_nopush; `off`: each write goes out as it comes")
        Boolean tcpNopush,
        @KeyDoc(defaultValue = "`8192`", meaning = "client connections open at once in the whole engine (every listen "
                + "address, all event loops); one more is accepted and closed at once, as nginx does, counted in stub_status' "
                + "accepts but not its handled, and logged (`8192 worker-connections are not enough, 3 connection(s) "
                + "refused`, at most a line a second)")
        @Scopes(Scope.MAIN) Integer workerConnections) {

    /** How ACCESS handlers combine: all must allow, or any one is enough. */
    public enum Satisfy { ALL, ANY }

    /**
     * Which symlinks a file path may pass through: refuse those leading out of the root (the
     * default), refuse every one (nginx's {@code on}), or follow all (nginx's {@code off}).
     */
    public enum DisableSymlinks { OUTSIDE_ROOT, ON, OFF }

    /** nginx's client_body_in_file_only: bodies in memory up to the buffer size, or always in a file (kept or not). */
    public enum InFileOnly { OFF, ON, CLEAN }

    /** nginx's keepalive_disable: the browsers whose requests are not kept alive. */
    public enum KeepaliveDisable { NONE, MSIE6, SAFARI }

    /** nginx's lingering_close: when a closing connection first reads what the client still sends. */
    public enum LingeringClose { OFF, ON, ALWAYS }

    /** nginx's if_modified_since: ignore the header, 304 only for the exact time, or for any later time. */
    public enum IfModifiedSince { OFF, EXACT, BEFORE }

    public static final CoreConfig DEFAULTS = new CoreConfig(null, null, List.of("index.html"), Size.parse("1m"),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Size.parse("16k"), null, InFileOnly.OFF, false,
            Duration.ofSeconds(60), Duration.ofSeconds(75), 1000, List.of(KeepaliveDisable.MSIE6), LingeringClose.ON,
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            new HeaderBuffers(4, Size.parse("8k")), List.of(), Satisfy.ALL, IfModifiedSince.EXACT, null, Map.of(),
            "application/octet-stream", DisableSymlinks.OUTSIDE_ROOT, true, 8192);

    /**
     * Whether {@code keepalive-disable} ends the connection after a request of {@code method}
     * from {@code userAgent} (null without one).
     */
    public boolean keepaliveDisabledFor(String method, String userAgent) {
        return userAgent != null && !keepaliveDisable.contains(KeepaliveDisable.NONE)
                && (keepaliveDisable.contains(KeepaliveDisable.MSIE6) && method.equals("POST") && UserAgents.msie6(userAgent)
                || keepaliveDisable.contains(KeepaliveDisable.SAFARI) && UserAgents.safari(userAgent));
    }

    public CoreConfig {
        if (maxRanges != null && maxRanges < 0) {
            throw new IllegalArgumentException("max-ranges cannot be negative");
        }
        if (workerConnections != null && workerConnections < 1) {
            throw new IllegalArgumentException("worker-connections must be at least 1");
        }
        if (keepaliveRequests != null && keepaliveRequests < 0) {
            throw new IllegalArgumentException("keepalive-requests cannot be negative");
        }
        for (Duration d : new Duration[] {clientHeaderTimeout, clientBodyTimeout, sendTimeout, keepaliveTimeout, lingeringTime,
                lingeringTimeout}) {
            if (d != null && d.isNegative()) {
                throw new IllegalArgumentException("a timeout cannot be negative");
            }
        }
    }
}
