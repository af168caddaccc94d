package dev.modhttp.engine.modules.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upstream's peers at run time, shared by every event loop: nginx's balancers (smooth
 * weighted round-robin, least-conn, ip-hash, hash, consistent hash, random; the same peer as
 * nginx picks for the same weights, key or address), with nginx's passive health rules. A peer failing {@code max-fails} times within
 * {@code fail-timeout} is left out for {@code fail-timeout}; backup peers serve when no primary
 * peer can; a group of a single peer ignores failures, as nginx's does.
 */
final class Peers {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** One address of a server entry. */
    static final class Peer {
        final InetSocketAddress address;
        final String name;
        final int weight;
        final int maxFails;
        final long failTimeoutNanos;
        final boolean down;
        final boolean backup;
        /** The server entry as written: consistent hash points belong to it. */
        final String server;
        int effectiveWeight;
        int currentWeight;
        int fails;
        long accessed;
        long checked;
        int conns;
        int index;
        long requests;
        long failures;

        Peer(InetSocketAddress address, UpstreamServer s) {
            this.address = address;
            this.name = address.getAddress().getHostAddress().indexOf(':') >= 0
                    ? "[" + address.getAddress().getHostAddress() + "]:" + address.getPort()
                    : address.getAddress().getHostAddress() + ":" + address.getPort();
            this.weight = s.weight();
            this.maxFails = s.maxFails();
            this.failTimeoutNanos = s.failTimeout().toNanos();
            this.down = s.down();
            this.backup = s.backup();
            this.server = s.address();
            this.effectiveWeight = weight;
        }
    }

    /** A start for {@link #now()}: times of peers that were never checked lie a day before it. */
    private static final long BASE = System.nanoTime() - 86_400_000_000_000L;

    final Upstream upstream;
    private List<Peer> primary;
    private List<Peer> backup;
    private boolean single;
    private final String method;
    /** nginx's total_weight of the primary peers, down ones included (the hash methods walk it). */
    private int totalWeight;
    /** Consistent hash: the points' hashes, sorted, and the server each belongs to. */
    private final long[] points;
    private final String[] pointServers;

    Peers(Upstream upstream) {
        this.upstream = upstream;
        this.method = Upstream.method(upstream.balance());
        if (method.equals("hash-consistent")) {
            TreeMap<Long, String> ring = new TreeMap<>();
            for (UpstreamServer srv : upstream.servers()) {
                for (long h : Ketama.points(srv.address(), srv.weight() * 160)) {
                    ring.putIfAbsent(h, srv.address());
                }
            }
            this.points = ring.keySet().stream().mapToLong(Long::longValue).toArray();
            this.pointServers = ring.values().toArray(String[]::new);
        } else {
            this.points = null;
            this.pointServers = null;
        }
        Map<UpstreamServer, List<InetSocketAddress>> resolved = new LinkedHashMap<>();
        for (UpstreamServer s : upstream.servers()) {
            resolved.put(s, resolve(upstream, s));
        }
        if (!install(resolved)) {
            throw new IllegalArgumentException("upstream \"" + upstream.name() + "\" has only backup servers");
        }
    }

    /**
     * Puts the peers of {@code resolved} (each server entry's addresses) in place; a peer whose
     * entry and address stay keeps its state (failures, connections, weight), so its pooled
     * connections go on serving. False, and nothing changes, when no primary peer would remain.
     */
    synchronized boolean install(Map<UpstreamServer, List<InetSocketAddress>> resolved) {
        Map<String, Peer> old = new HashMap<>();
        for (List<Peer> group : primary == null ? List.<List<Peer>>of() : List.of(primary, backup)) {
            group.forEach(x -> old.put(x.server + " " + x.name, x));
        }
        List<Peer> p = new ArrayList<>();
        List<Peer> b = new ArrayList<>();
        resolved.forEach((s, addresses) -> {
            for (InetSocketAddress a : addresses) {
                Peer fresh = new Peer(a, s);
                (s.backup() ? b : p).add(old.getOrDefault(s.address() + " " + fresh.name, fresh));
            }
        });
        if (p.isEmpty()) {
            return false;
        }
        for (int i = 0; i < p.size(); i++) {
            p.get(i).index = i;
        }
        for (int i = 0; i < b.size(); i++) {
            b.get(i).index = p.size() + i;
        }
        this.primary = List.copyOf(p);
        this.backup = List.copyOf(b);
        this.single = primary.size() == 1 && backup.isEmpty();
        this.totalWeight = primary.stream().mapToInt(x -> x.weight).sum();
        return true;
    }

    /**
     * One request's selection state across its attempts: peers tried, and for the hash methods
     * the key (or the client address for ip-hash) and nginx's running hash.
     */
    static final class Pick {
        long tried;
        final byte[] key;
        long hash;
        int rehash;
        int tries;

        Pick(byte[] key) {
            this.key = key;
        }

        /** ip-hash's key: the first three bytes of an IPv4 address, all 16 of an IPv6 one. */
        static byte[] address(InetAddress a) {
            byte[] b = a.getAddress();
            return b.length == 4 ? Arrays.copyOf(b, 3) : b;
        }
    }

    private static List<InetSocketAddress> resolve(Upstream upstream, UpstreamServer s) {
        try {
            List<InetSocketAddress> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(s.host())) {
                out.add(new InetSocketAddress(a, s.port()));
            }
            return out;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host not found in upstream \"" + s.address() + "\" of \""
                    + upstream.name() + "\"", e);
        }
    }

    /** The clock of failures and checks, in nanoseconds, always positive. */
    static long now() {
        return System.nanoTime() - BASE;
    }

    /** Peers in all: the most attempts a request can make. */
    synchronized int size() {
        return primary.size() + backup.size();
    }

    /** The balancing method: round-robin, least-conn, ip-hash, hash, hash-consistent, random or random-two. */
    String method() {
        return method;
    }

    /**
     * The next peer for a request (its {@link Pick} records the peers tried), counted as one more
     * connection; null when none is live (nginx's "no live upstreams").
     */
    synchronized Peer next(Pick pick, long now) {
        long tried = pick.tried;
        Peer p;
        if (single) {
            p = primary.get(0);
            p = p.down || (tried & 1) != 0 ? null : p;
        } else {
            p = switch (method) {
                case "ip-hash", "hash" -> hashed(pick, now);
                case "hash-consistent" -> consistent(pick, now);
                case "random", "random-two" -> random(pick, now);
                default -> null;
            };
            if (p == null) {
                p = smooth(primary, tried, now, method.equals("least-conn")); // nginx falls back to round-robin
            }
            if (p == null && !backup.isEmpty()) {
                p = smooth(backup, tried, now, method.equals("least-conn"));
            }
        }
        if (p != null) {
            p.conns++;
            p.requests++;
            if (p.index < 64) {
                pick.tried |= 1L << p.index;
            }
            if (now - p.checked > p.failTimeoutNanos) {
                p.checked = now;
            }
        }
        return p;
    }

    /** ip-hash and hash: nginx's running hash walked over the weights, up to 20 tries, then round-robin. */
    private Peer hashed(Pick pick, long now) {
        boolean ip = method.equals("ip-hash");
        if (pick.key == null || pick.key.length == 0 || pick.tries > 20) {
            return null;
        }
        if (ip && pick.hash == 0 && pick.rehash == 0) {
            pick.hash = 89;
        }
        while (true) {
            if (ip) {
                for (byte b : pick.key) {
                    pick.hash = (pick.hash * 113 + (b & 0xff)) % 6271;
                }
            } else {
                CRC32 crc = new CRC32();
                if (pick.rehash > 0) {
                    crc.update(Integer.toString(pick.rehash).getBytes(StandardCharsets.US_ASCII));
                }
                crc.update(pick.key);
                pick.hash += (crc.getValue() >>> 16) & 0x7fff;
            }
            pick.rehash++;
            long w = pick.hash % totalWeight;
            Peer p = primary.get(0);
            for (int i = 0; w >= p.weight; i++) {
                w -= p.weight;
                p = primary.get(i + 1);
            }
            if (usable(p, pick.tried, now)) {
                return p;
            }
            if (++pick.tries > 20) {
                return null;
            }
        }
    }

    /** Consistent hash: the first point at or after the key's crc32, its server's live peers by weight. */
    private Peer consistent(Pick pick, long now) {
        if (pick.key == null || pick.key.length == 0) {
            return null;
        }
        if (pick.rehash == 0) {
            CRC32 crc = new CRC32();
            crc.update(pick.key);
            int i = Arrays.binarySearch(points, crc.getValue());
            pick.hash = i >= 0 ? i : -i - 1;
            pick.rehash = 1;
        }
        while (pick.tries <= 20) {
            String server = pointServers[(int) (pick.hash % points.length)];
            List<Peer> ofServer = primary.stream().filter(x -> x.server.equals(server)).toList();
            Peer p = smooth(ofServer, pick.tried, now, false);
            if (p != null) {
                return p;
            }
            pick.hash++;
            pick.tries++;
        }
        return null;
    }

    /** random: a peer by weight at random; random two: the one of two with fewer connections. */
    private Peer random(Pick pick, long now) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (pick.tries++ <= 20) {
            Peer a = byWeight(rnd.nextInt(totalWeight));
            if (!usable(a, pick.tried, now)) {
                continue;
            }
            if (method.equals("random-two") && primary.size() > 1) {
                Peer b = byWeight(rnd.nextInt(totalWeight));
                if (b != a && usable(b, pick.tried, now)
                        && (long) b.conns * a.weight < (long) a.conns * b.weight) {
                    return b;
                }
            }
            return a;
        }
        return null;
    }

    private Peer byWeight(int w) {
        for (Peer p : primary) {
            if (w < p.weight) {
                return p;
            }
            w -= p.weight;
        }
        return primary.get(primary.size() - 1);
    }

    /** nginx's smooth weighted round-robin over the usable peers of {@code peers} (the fewest connections first). */
    private Peer smooth(List<Peer> peers, long tried, long now, boolean leastConn) {
        Peer best = null;
        int total = 0;
        List<Peer> candidates = peers;
        if (leastConn) {
            candidates = fewestConnections(peers, tried, now);
        }
        for (Peer p : candidates) {
            if (!usable(p, tried, now)) {
                continue;
            }
            p.currentWeight += p.effectiveWeight;
            total += p.effectiveWeight;
            if (p.effectiveWeight < p.weight) {
                p.effectiveWeight++;
            }
            if (best == null || p.currentWeight > best.currentWeight) {
                best = p;
            }
        }
        if (best == null) {
            return null;
        }
        best.currentWeight -= total;
        return best;
    }

    /** least-conn: the usable peers with the fewest connections for their weight (ties go round-robin). */
    private List<Peer> fewestConnections(List<Peer> peers, long tried, long now) {
        List<Peer> best = new ArrayList<>();
        for (Peer p : peers) {
            if (!usable(p, tried, now)) {
                continue;
            }
            if (best.isEmpty()) {
                best.add(p);
                continue;
            }
            Peer b = best.get(0);
            long cmp = (long) p.conns * b.weight - (long) b.conns * p.weight;
            if (cmp < 0) {
                best.clear();
                best.add(p);
            } else if (cmp == 0) {
                best.add(p);
            }
        }
        return best;
    }

    private static boolean usable(Peer p, long tried, long now) {
        if (p.down || (p.index < 64 && (tried & (1L << p.index)) != 0)) {
            return false;
        }
        return !(p.maxFails > 0 && p.fails >= p.maxFails && now - p.checked <= p.failTimeoutNanos);
    }

    /** A request is done with {@code p}: {@code failed} counts toward its max-fails, success forgives earlier failures. */
    synchronized void free(Peer p, boolean failed, long now) {
        p.conns--;
        if (single) {
            return;
        }
        if (failed) {
            p.failures++;
            p.fails++;
            p.accessed = now;
            p.checked = now;
            if (p.maxFails > 0) {
                p.effectiveWeight = Math.max(0, p.effectiveWeight - p.weight / p.maxFails);
                if (p.fails >= p.maxFails) {
                    LOG.warn("upstream server temporarily disabled while connecting to upstream, upstream: \"{}\"",
                            p.name);
                }
            }
        } else if (p.accessed < p.checked) {
            p.fails = 0;
        }
    }

    /** Each peer as it is now, primary ones first. */
    synchronized List<PeerView> view(long now) {
        List<PeerView> out = new ArrayList<>();
        for (List<Peer> group : List.of(primary, backup)) {
            for (Peer p : group) {
                boolean out1 = p.maxFails > 0 && p.fails >= p.maxFails && now - p.checked <= p.failTimeoutNanos;
                long left = out1 ? (p.failTimeoutNanos - (now - p.checked)) / 1_000_000 : 0;
                out.add(new PeerView(upstream.name(), p.name, p.server, p.weight, p.backup, p.down, p.fails,
                        Math.max(left, out1 ? 1 : 0), p.conns, p.requests, p.failures));
            }
        }
        return out;
    }
}
