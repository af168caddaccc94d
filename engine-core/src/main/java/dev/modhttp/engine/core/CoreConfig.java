package dev.modhttp.engine.core;

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
 * <table>
 *   <caption>Keys, scopes and defaults</caption>
 *   <tr><th>key</th><th>scopes</th><th>default</th></tr>
 *   <tr><td>root</td><td>main, server, location</td><td>none (no files are served)</td></tr>
 *   <tr><td>alias</td><td>location</td><td>none</td></tr>
 *   <tr><td>index</td><td>main, server, location</td><td>[index.html]</td></tr>
 *   <tr><td>client-max-body-size</td><td>main, server, location</td><td>1m (0 = no limit)</td></tr>
 *   <tr><td>client-header-timeout</td><td>main, server</td><td>60s</td></tr>
 *   <tr><td>client-body-timeout</td><td>main, server, location</td><td>60s</td></tr>
 *   <tr><td>client-body-buffer-size</td><td>main, server, location</td><td>16k: a larger body goes to a
 *       temporary file</td></tr>
 *   <tr><td>client-body-temp-path</td><td>main, server, location</td><td>the JVM's {@code java.io.tmpdir}</td></tr>
 *   <tr><td>client-body-in-file-only</td><td>main, server, location</td><td>off (on: every body to a file,
 *       kept after the request; clean: deleted)</td></tr>
 *   <tr><td>send-timeout</td><td>main, server, location</td><td>60s</td></tr>
 *   <tr><td>keepalive-timeout</td><td>main, server, location</td><td>75s (0 = no keep-alive)</td></tr>
 *   <tr><td>keepalive-requests</td><td>main, server, location</td><td>1000</td></tr>
 *   <tr><td>large-client-header-buffers</td><td>main, server</td><td>"4 8k"</td></tr>
 *   <tr><td>error-page</td><td>main, server, location</td><td>none</td></tr>
 *   <tr><td>satisfy</td><td>main, server, location</td><td>all</td></tr>
 *   <tr><td>if-modified-since</td><td>main, server, location</td><td>exact</td></tr>
 *   <tr><td>max-ranges</td><td>main, server, location</td><td>unlimited (0 turns ranges off)</td></tr>
 *   <tr><td>types</td><td>main, server, location</td><td>none: extension to type, added to the built-in table</td></tr>
 *   <tr><td>default-type</td><td>main, server, location</td><td>application/octet-stream</td></tr>
 *   <tr><td>disable-symlinks</td><td>main, server, location</td><td>outside-root</td></tr>
 *   <tr><td>tcp-nopush</td><td>main, server, location</td><td>on (nginx: off): a file sent zero-copy leaves with its
 *       head in full packets (TCP_CORK around the send, epoll only)</td></tr>
 *   <tr><td>worker-connections</td><td>main</td><td>8192 (nginx: 512 per worker): client connections open at once
 *       in the whole engine; one more is accepted and closed at once, logged and counted as accepted but not
 *       handled (stub_status, {@code engine.connections.refused})</td></tr>
 * </table>
 */
public record CoreConfig(
        Path root,
        @Scopes(Scope.LOCATION) Path alias,
        List<String> index,
        Size clientMaxBodySize,
        @Scopes({Scope.MAIN, Scope.SERVER}) Duration clientHeaderTimeout,
        Duration clientBodyTimeout,
        Size clientBodyBufferSize,
        Path clientBodyTempPath,
        InFileOnly clientBodyInFileOnly,
        Duration sendTimeout,
        Duration keepaliveTimeout,
        Integer keepaliveRequests,
        @Scopes({Scope.MAIN, Scope.SERVER}) HeaderBuffers largeClientHeaderBuffers,
        List<ErrorPage> errorPage,
        Satisfy satisfy,
        IfModifiedSince ifModifiedSince,
        Integer maxRanges,
        Map<String, String> types,
        String defaultType,
        DisableSymlinks disableSymlinks,
        Boolean tcpNopush,
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

    /** nginx's if_modified_since: ignore the header, 304 only for the exact time, or for any later time. */
    public enum IfModifiedSince { OFF, EXACT, BEFORE }

    public static final CoreConfig DEFAULTS = new CoreConfig(null, null, List.of("index.html"), Size.parse("1m"),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Size.parse("16k"), null, InFileOnly.OFF,
            Duration.ofSeconds(60), Duration.ofSeconds(75), 1000,
            new HeaderBuffers(4, Size.parse("8k")), List.of(), Satisfy.ALL, IfModifiedSince.EXACT, null, Map.of(),
            "application/octet-stream", DisableSymlinks.OUTSIDE_ROOT, true, 8192);

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
        for (Duration d : new Duration[] {clientHeaderTimeout, clientBodyTimeout, sendTimeout, keepaliveTimeout}) {
            if (d != null && d.isNegative()) {
                throw new IllegalArgumentException("a timeout cannot be negative");
            }
        }
    }
}
