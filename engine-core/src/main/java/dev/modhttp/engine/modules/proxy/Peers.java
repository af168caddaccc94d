package dev.modhttp.engine.modules.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upstream's peers at run time, shared by every event loop: nginx's round-robin balancer
 * (smooth weighted: the same order of peers as nginx for the same weights), or least-conn, with
 * nginx's passive health rules. A peer failing {@code max-fails} times within
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
        int effectiveWeight;
        int currentWeight;
        int fails;
        long accessed;
        long checked;
        int conns;
        int index;

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
            this.effectiveWeight = weight;
        }
    }

    /** A start for {@link #now()}: times of peers that were never checked lie a day before it. */
    private static final long BASE = System.nanoTime() - 86_400_000_000_000L;

    final Upstream upstream;
    private final List<Peer> primary;
    private final List<Peer> backup;
    private final boolean single;
    private final boolean leastConn;

    Peers(Upstream upstream) {
        this.upstream = upstream;
        List<Peer> p = new ArrayList<>();
        List<Peer> b = new ArrayList<>();
        for (UpstreamServer s : upstream.servers()) {
            for (InetSocketAddress a : resolve(upstream, s)) {
                Peer peer = new Peer(a, s);
                (s.backup() ? b : p).add(peer);
            }
        }
        if (p.isEmpty()) {
            throw new IllegalArgumentException("upstream \"" + upstream.name() + "\" has only backup servers");
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
        this.leastConn = upstream.balance().equals("least-conn");
    }

    private static List<InetSocketAddress> resolve(Upstream upstream, UpstreamServer s) {
        try {
            List<InetSocketAddress> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(s.host())) {
                out.add(new InetSocketAddress(a, s.port()));
            }
            return out;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host not found in upstream \"" + s.name() + "\" of \""
                    + upstream.name() + "\"", e);
        }
    }

    /** The clock of failures and checks, in nanoseconds, always positive. */
    static long now() {
        return System.nanoTime() - BASE;
    }

    /** Peers in all: the most attempts a request can make. */
    int size() {
        return primary.size() + backup.size();
    }

    /**
     * The next peer for a request that already tried the peers in {@code tried} (bits by
     * {@link Peer#index}), counted as one more connection; null when none is live (nginx's
     * "no live upstreams").
     */
    synchronized Peer next(long tried, long now) {
        if (single) {
            Peer p = primary.get(0);
            if (p.down || (tried & 1) != 0) {
                return null;
            }
            p.conns++;
            return p;
        }
        Peer p = pick(primary, tried, now);
        if (p == null && !backup.isEmpty()) {
            p = pick(backup, tried, now);
        }
        if (p != null) {
            p.conns++;
        }
        return p;
    }

    private Peer pick(List<Peer> peers, long tried, long now) {
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
        if (now - best.checked > best.failTimeoutNanos) {
            best.checked = now;
        }
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

    /** The peers in order, primary then backup: for views and tests. */
    List<Peer> all() {
        List<Peer> all = new ArrayList<>(primary);
        all.addAll(backup);
        return all;
    }
}
