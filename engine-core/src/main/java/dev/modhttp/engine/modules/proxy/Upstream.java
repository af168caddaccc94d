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
 *     balance: least-conn        # round-robin (default), least-conn, ip-hash, "hash $request_uri [consistent]",
 *                                # random, "random two [least-conn]"
 *     keepalive: 32              # idle connections kept per event loop (0: a connection per request)
 *     resolve-valid: 30s         # host names resolved again every 30 s (default: once, at startup)
 * </pre>
 *
 * @param name what {@code proxy-pass: http://NAME} refers to
 * @param servers the peers (at least one)
 * @param balance nginx's balancing methods: {@code round-robin} (smooth weighted), {@code least-conn},
 *        {@code ip-hash} (the first three bytes of an IPv4 client address, all of an IPv6 one),
 *        {@code hash KEY} (KEY with variables; crc32 as Cache::Memcached), {@code hash KEY consistent}
 *        (ketama points, the same server for a key as nginx's), {@code random}, {@code random two
 *        [least-conn]}; the hash methods and random take no backup servers, as in nginx
 * @param keepalive idle connections to the upstream kept per event loop; default 32 (nginx keeps none
 *        without its {@code keepalive} directive; README, differences)
 * @param keepaliveTimeout how long an idle connection is kept (60 s)
 * @param keepaliveRequests requests over one connection before it is closed (1000)
 * @param resolveValid how often host names in {@code servers} are resolved again (Netty's DNS
 *        resolver, /etc/hosts first); none: once, at startup, as open-source nginx resolves them.
 *        Peers whose address stays keep their state and pooled connections; an answer with no
 *        address, or a failed lookup, keeps the addresses known (logged)
 */
public record Upstream(String name, List<UpstreamServer> servers, String balance, Integer keepalive,
        Duration keepaliveTimeout, Integer keepaliveRequests, Duration resolveValid) {

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
        balance = balance == null ? "round-robin" : balance.trim().replaceAll("\\s+", " ");
        String method = method(balance);
        if (method == null) {
            throw new IllegalArgumentException("balance \"" + balance + "\" is not round-robin, least-conn, ip-hash, "
                    + "\"hash KEY [consistent]\", random or \"random two [least-conn]\"");
        }
        if (!method.equals("round-robin") && !method.equals("least-conn")
                && servers.stream().anyMatch(UpstreamServer::backup)) {
            throw new IllegalArgumentException("balancing method \"" + method + "\" does not support backup servers");
        }
        if (keepalive == null) {
            keepalive = DEFAULT_KEEPALIVE;
        } else if (keepalive < 0) {
            throw new IllegalArgumentException("keepalive must be 0 or more");
        }
        if (keepaliveTimeout == null) {
            keepaliveTimeout = Duration.ofSeconds(60);
        }
        if (resolveValid != null && resolveValid.toMillis() < 1000) {
            throw new IllegalArgumentException("resolve-valid must be 1s or more");
        }
        if (keepaliveRequests == null) {
            keepaliveRequests = 1000;
        } else if (keepaliveRequests < 1) {
            throw new IllegalArgumentException("keepalive-requests must be 1 or more");
        }
    }

    /**
     * The balancing method of a {@code balance} value: round-robin, least-conn, ip-hash, hash,
     * hash-consistent, random, random-two; null for none of them.
     */
    static String method(String balance) {
        String[] w = balance.split(" ");
        String first = w[0].toLowerCase(Locale.ROOT);
        return switch (first) {
            case "round-robin", "least-conn", "ip-hash" -> w.length == 1 ? first : null;
            case "hash" -> w.length == 2 ? "hash" : w.length == 3 && w[2].equals("consistent") ? "hash-consistent" : null;
            case "random" -> w.length == 1 ? "random" : w[1].equals("two") && (w.length == 2
                    || w.length == 3 && w[2].equals("least-conn")) ? "random-two" : null;
            default -> null;
        };
    }

    /** The key template text of a hash method, else null. */
    String hashKey() {
        return balance.startsWith("hash ") ? balance.split(" ")[1] : null;
    }

    /** This upstream keeping no idle connections. */
    Upstream unpooled() {
        return new Upstream(name, servers, balance, 0, keepaliveTimeout, keepaliveRequests, null);
    }

    /** The implicit upstream of a {@code proxy-pass} naming a host and port directly. */
    static Upstream implicit(ProxyPass pass) {
        return new Upstream(pass.proxyHost(), List.of(new UpstreamServer(pass.proxyHost(), pass.host(), pass.port(), 1, 1,
                Duration.ofSeconds(10), false, false)), null, null, null, null, null);
    }
}
