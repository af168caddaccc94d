package dev.modhttp.engine.modules.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the host names of upstreams with {@code resolve-valid} again when it is due (from
 * the engine's once-a-second trigger), with Netty's asynchronous DNS resolver on a thread of
 * its own, and puts the new addresses in place ({@link Peers#install}). Open-source nginx
 * resolves them once; this is ours.
 */
final class UpstreamResolver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** Looks up every address of a host name. */
    interface Lookup {
        CompletionStage<List<InetAddress>> all(String host);
    }

    /** An upstream to resolve again: when next, and whether a lookup is out (guarded by the resolver). */
    private static final class Entry {
        final Peers peers;
        final long everyNanos;
        long due;
        boolean busy;

        Entry(Peers peers, long everyNanos) {
            this.peers = peers;
            this.everyNanos = everyNanos;
            this.due = System.nanoTime() + everyNanos;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private Lookup lookup;
    private EventLoopGroup group;
    private DnsNameResolver dns;

    void add(Peers peers) {
        entries.add(new Entry(peers, peers.upstream.resolveValid().toNanos()));
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Uses {@code lookup} instead of DNS (tests). */
    synchronized void lookup(Lookup lookup) {
        this.lookup = lookup;
    }

    /** Starts the lookups that are due; each puts its answer in place when all of its names are back. */
    synchronized void tick(long now) {
        for (Entry e : entries) {
            if (e.busy || now - e.due < 0) {
                continue;
            }
            e.busy = true;
            e.due = now + e.everyNanos;
            resolve(e.peers).whenComplete((resolved, error) -> {
                synchronized (this) {
                    e.busy = false;
                }
                if (error != null) {
                    LOG.warn("upstream \"{}\": resolving its servers failed, the known addresses stay: {}",
                            e.peers.upstream.name(), String.valueOf(error.getMessage()));
                } else if (!e.peers.install(resolved)) {
                    LOG.warn("upstream \"{}\": its servers resolved to no address, the known ones stay",
                            e.peers.upstream.name());
                }
            });
        }
    }

    private CompletableFuture<Map<UpstreamServer, List<InetSocketAddress>>> resolve(Peers peers) {
        Map<UpstreamServer, List<InetSocketAddress>> out = new LinkedHashMap<>();
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (UpstreamServer s : peers.upstream.servers()) {
            if (ProxyModule.isAddress(s.host())) {
                out.put(s, List.of(new InetSocketAddress(s.host(), s.port())));
                continue;
            }
            out.put(s, List.of());
            all = all.thenCombine(lookup().all(s.host()), (ignored, addresses) -> {
                List<InetSocketAddress> list = new ArrayList<>();
                addresses.forEach(a -> list.add(new InetSocketAddress(a, s.port())));
                synchronized (out) {
                    out.put(s, list);
                }
                return null;
            });
        }
        return all.thenApply(ignored -> out);
    }

    private synchronized Lookup lookup() {
        if (lookup == null) {
            group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("upstream-dns", true),
                    NioIoHandler.newFactory());
            dns = new DnsNameResolverBuilder(group.next()).datagramChannelType(NioDatagramChannel.class).build();
            lookup = host -> {
                CompletableFuture<List<InetAddress>> f = new CompletableFuture<>();
                dns.resolveAll(host).addListener(done -> {
                    if (done.isSuccess()) {
                        @SuppressWarnings("unchecked")
                        List<InetAddress> found = (List<InetAddress>) done.getNow();
                        f.complete(found);
                    } else {
                        f.completeExceptionally(done.cause());
                    }
                });
                return f;
            };
        }
        return lookup;
    }

    @Override
    public synchronized void close() {
        if (dns != null) {
            dns.close();
        }
        if (group != null) {
            group.shutdownGracefully();
        }
    }
}
