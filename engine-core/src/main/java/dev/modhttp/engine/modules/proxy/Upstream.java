package dev.modhttp.engine.modules.proxy;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One {@code upstreams} entry (main scope), nginx's {@code upstream} block:
 *
 * <pre>
 * upstreams:
 *   - name: backend
 *     servers: ["10.0.0.1:8080 weight=5", "10.0.0.2:8080", "10.0.0.3:8080 backup"]
 *     balance: least-conn        # round-robin (default) or least-conn
 *     keepalive: 32              # idle connections kept per event loop (0: a connection per request)
 * </pre>
 *
 * @param name what {@code proxy-pass: http://NAME} refers to
 * @param servers the peers (at least one)
 * @param balance {@code round-robin} (nginx's smooth weighted round-robin) or {@code least-conn}
 * @param keepalive idle connections to the upstream kept per event loop; default 32 (nginx keeps none
 *        without its {@code keepalive} directive; README, differences)
 * @param keepaliveTimeout how long an idle connection is kept (60 s)
 * @param keepaliveRequests requests over one connection before it is closed (1000)
 */
public record Upstream(String name, List<UpstreamServer> servers, String balance, Integer keepalive,
        Duration keepaliveTimeout, Integer keepaliveRequests) {

    /** Idle connections kept per event loop when {@code keepalive} is not written. */
    public static final int DEFAULT_KEEPALIVE = 32;

    public Upstream {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an upstream needs a name");
        }
        if (servers == null || servers.isEmpty()) {
            throw new IllegalArgumentException("no servers are inside upstream \"" + name + "\"");
        }
        servers = List.copyOf(servers);
        balance = balance == null ? "round-robin" : balance.trim().toLowerCase(Locale.ROOT);
        if (!balance.equals("round-robin") && !balance.equals("least-conn")) {
            throw new IllegalArgumentException("balance \"" + balance + "\" is not round-robin or least-conn");
        }
        if (keepalive == null) {
            keepalive = DEFAULT_KEEPALIVE;
        } else if (keepalive < 0) {
            throw new IllegalArgumentException("keepalive must be 0 or more");
        }
        if (keepaliveTimeout == null) {
            keepaliveTimeout = Duration.ofSeconds(60);
        }
        if (keepaliveRequests == null) {
            keepaliveRequests = 1000;
        } else if (keepaliveRequests < 1) {
            throw new IllegalArgumentException("keepalive-requests must be 1 or more");
        }
    }

    /** The implicit upstream of a {@code proxy-pass} naming a host and port directly. */
    static Upstream implicit(ProxyPass pass) {
        return new Upstream(pass.proxyHost(), List.of(new UpstreamServer(pass.host(), pass.port(), 1, 1,
                Duration.ofSeconds(10), false, false)), null, null, null, null);
    }
}
