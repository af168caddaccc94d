package dev.modhttp.engine.modules.limit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limit zones kept in Redis ({@code backend=redis} on a {@code limit-req-zone} or
 * {@code limit-conn-zone}), so that every engine pointing at the same Redis counts together.
 * One connection per engine (Lettuce, asynchronous: no event loop waits on Redis); a check is
 * one {@code EVALSHA} round trip running the whole decision atomically in Redis, on Redis's
 * clock, so that instances whose clocks differ still agree.
 *
 * <p>When Redis does not answer within {@code redis.timeout}, answers with an error (out of
 * memory, a read-only replica) or is not connected, the check falls back to the zone's local
 * table on this engine and a warning is logged once; while it is down, requests use the local
 * tables and Redis is tried again at most once a second (with a write, on a new connection when
 * the old one failed); when it takes the write, counting goes back to Redis and that is logged
 * once too. What the local tables counted meanwhile is not added to Redis; a limit-req check
 * that timed out may still count in Redis when it arrives late.
 *
 * <p>Keys: {@code PREFIX limit-req:ZONE:KEY} (a hash of the excess in thousandths of a request
 * and the time of the last request, expiring a minute after it drained) and
 * {@code PREFIX limit-conn:ZONE:KEY} (a hash with one field per request held,
 * {@code INSTANCE/N}). Every engine renews {@code PREFIX instance:INSTANCE} every 5 s (expiring
 * after 15 s) and the expiry of the limit-conn hashes it holds in; the requests held by an
 * engine that stopped renewing (a crash, or an outage, after which an engine takes a new
 * instance name) stop counting when its key expired. A hold whose check timed out is given
 * back on the same connection, after it, so that a late hold does not stay.
 */
public final class RedisZones {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** nginx's leaky bucket (as {@code LimitReqModule.take}) over every zone of a request: none counts unless all pass. */
    private static final String TAKE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local e = {}
            for i = 1, #KEYS do
              local rate = tonumber(ARGV[3 * i - 2])
              local burst = tonumber(ARGV[3 * i - 1]) * 1000
              local b = redis.call('HMGET', KEYS[i], 'e', 'l')
              local x = 0
              if b[2] then
                local elapsed = now - tonumber(b[2])
                if elapsed < 0 then elapsed = 0 end
                x = tonumber(b[1]) - math.floor(rate * elapsed / 1000) + 1000
                if x < 0 then x = 0 end
                if x > burst then
                  return {-i, math.max(1, math.floor((x - burst) * 1000 / rate))}
                end
              end
              e[i] = x
            end
            local wait = 0
            for i = 1, #KEYS do
              local rate = tonumber(ARGV[3 * i - 2])
              local delay = tonumber(ARGV[3 * i])
              redis.call('HSET', KEYS[i], 'e', e[i], 'l', now)
              redis.call('PEXPIRE', KEYS[i], math.floor(e[i] * 1000 / rate) + 60000)
              if delay >= 0 and e[i] > delay * 1000 then
                wait = math.max(wait, math.floor((e[i] - delay * 1000) * 1000 / rate))
              end
            end
            return {0, wait}
            """;

    /**
     * limit-conn: holds the request (field ARGV[2]) in each zone (KEYS) while every zone is under
     * its maximum (ARGV[4 + i]), counting only the fields of engines whose instance key lives
     * (ARGV[3] .. instance) and dropping the others; else holds none and answers the 1-based
     * index of the zone that is full. ARGV[4] is the expiry of the hashes, in ms.
     */
    private static final String HOLD = """
            local alive = {}
            for i = 1, #KEYS do
              local total = 0
              local f = redis.call('HKEYS', KEYS[i])
              for j = 1, #f do
                local inst = string.match(f[j], '^(.*)/') or f[j]
                local live = alive[inst]
                if live == nil then
                  live = inst == ARGV[1] or redis.call('EXISTS', ARGV[3] .. inst) == 1
                  alive[inst] = live
                end
                if live then
                  total = total + 1
                else
                  redis.call('HDEL', KEYS[i], f[j])
                end
              end
              if total >= tonumber(ARGV[4 + i]) then
                for k = 1, i - 1 do redis.call('HDEL', KEYS[k], ARGV[2]) end
                return i
              end
              redis.call('HSET', KEYS[i], ARGV[2], 1)
              redis.call('PEXPIRE', KEYS[i], ARGV[4])
            end
            return 0
            """;

    private static final long HEARTBEAT_MS = 5000;
    private static final long EXPIRY_MS = 3 * HEARTBEAT_MS;

    /** Whether checks go to Redis. */
    private enum State { CONNECTING, UP, DOWN }

    /** What one request holds in Redis: its field in each zone's hash. */
    record Hold(byte[][] counts, String field) {
    }

    private final RedisConfig config;
    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final String take;
    private final String hold;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong holds = new AtomicLong();
    /** The limit-conn hashes this engine holds requests in, with how many: their expiry is renewed with the heartbeat. */
    private final Map<ByteBuffer, Integer> heldIn = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> heartbeat;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile State state = State.CONNECTING;
    private volatile long nextProbe;
    /** This engine's name in the limit-conn hashes; a new one after each outage (what it held before expires). */
    private volatile String instance = UUID.randomUUID().toString();

    /**
     * Connects, waiting at most the timeout (and at most 1 s, so that a reload does not stall
     * on a slow Redis); until the connection is made, checks count locally.
     *
     * @throws IllegalArgumentException for a URL Lettuce does not read
     */
    RedisZones(RedisConfig config) {
        this.config = config;
        Objects.requireNonNull(config.url(), "redis.url");
        this.uri = RedisURI.create(config.url());
        uri.setTimeout(config.timeout());
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources);
        Duration second = Duration.ofSeconds(1);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false) // reconnected by probe(), at most once a second, logged once per outage
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(config.timeout().compareTo(second) < 0 ? second : config.timeout()).build())
                .build());
        this.take = sha1(TAKE);
        this.hold = sha1(HOLD);
        probing.set(true);
        Duration wait = config.timeout().compareTo(second) < 0 ? config.timeout() : second;
        try { // the first requests count in Redis when it answers at once; a slow Redis does not hold the start up
            probe().toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // logged by probe(), or still connecting: counted locally meanwhile
        }
        this.heartbeat = resources.eventExecutorGroup().scheduleAtFixedRate(this::beat, HEARTBEAT_MS, HEARTBEAT_MS,
                TimeUnit.MILLISECONDS);
    }

    /** The name Redis keeps a script under (its SHA-1 in hex), for EVALSHA. */
    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes(script)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether checks go to Redis now; false sends them to the local tables (and, once a second, tries Redis again). */
    boolean usable() {
        State s = state;
        if (s == State.UP) {
            StatefulRedisConnection<byte[], byte[]> c = connection;
            if (c != null && c.isOpen()) {
                return true;
            }
            markDown(new IllegalStateException("the connection closed"));
        } else if (s == State.DOWN) {
            long now = System.nanoTime();
            if (now - nextProbe >= 0 && probing.compareAndSet(false, true)) {
                probe();
            }
        }
        return false;
    }

    /**
     * Writes this engine's instance key: on the open connection, or on a new one when there is
     * none or the last probe failed on it. Success puts the checks back on Redis.
     */
    private CompletionStage<?> probe() {
        nextProbe = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        StatefulRedisConnection<byte[], byte[]> c = connection;
        String next = state == State.CONNECTING ? instance : UUID.randomUUID().toString();
        CompletionStage<StatefulRedisConnection<byte[], byte[]>> open;
        if (c != null && c.isOpen()) {
            open = CompletableFuture.completedFuture(c);
        } else {
            if (c != null) {
                connection = null;
                c.closeAsync();
            }
            open = client.connectAsync(ByteArrayCodec.INSTANCE, uri).thenApply(made -> {
                connection = made;
                return made;
            });
        }
        return open.thenCompose(made -> made.async().set(instanceKey(next), bytes("1"), SetArgs.Builder.px(EXPIRY_MS))
                .thenApply(ok -> made))
                .whenComplete((made, error) -> {
                    probing.set(false);
                    if (error != null) {
                        StatefulRedisConnection<byte[], byte[]> failed = connection;
                        // a connection that does not take a write is dropped: the next probe makes a new one
                        if (failed != null) {
                            connection = null;
                            failed.closeAsync();
                        }
                        markDown(error);
                        return;
                    }
                    boolean recovered = state == State.DOWN;
                    instance = next;
                    state = State.UP;
                    if (recovered) {
                        LOG.info("redis at {} answers again; limit zones with backend=redis count in redis", where());
                    } else {
                        LOG.info("limit zones with backend=redis count in redis at {}", where());
                    }
                });
    }

    /** Counts a failure: the first of an outage is logged; checks go local until Redis takes a write again. */
    void markDown(Throwable error) {
        nextProbe = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        if (state != State.DOWN) {
            state = State.DOWN;
            LOG.warn("redis at {} fails ({}); limit zones with backend=redis count on this engine alone meanwhile",
                    where(), describe(error));
        }
    }

    /** The failure and, when another one caused it, the first cause (a refused password, say). */
    private static String describe(Throwable error) {
        Throwable top = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Throwable root = top;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == top ? top.toString() : top + ", caused by " + root;
    }

    private String where() {
        return uri.getHost() == null ? config.url().replaceAll("//[^@/]*@", "//") : uri.getHost() + ":" + uri.getPort();
    }

    private byte[] instanceKey(String name) {
        return bytes(config.keyPrefix() + "instance:" + name);
    }

    /** Every 5 s: renews the instance key and the expiry of the hashes held in; while down, tries Redis again. */
    private void beat() {
        if (state == State.DOWN) {
            usable();
            return;
        }
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null && state == State.UP) {
            RedisAsyncCommands<byte[], byte[]> commands = c.async();
            commands.set(instanceKey(instance), bytes("1"), SetArgs.Builder.px(EXPIRY_MS));
            for (ByteBuffer hash : heldIn.keySet()) {
                commands.pexpire(hash.array(), EXPIRY_MS);
            }
        }
    }

    /**
     * limit-req in Redis: {@code buckets} are the zones' keys ({@link #key}), {@code args}
     * three numbers per zone (rate in thousandths of a request per ms ×1000, burst, delay or
     * -1 for nodelay). Completes with {@code {0, wait ms}} when the request counts, or with
     * {@code {-zone index (1-based), ms until one would pass}} when a zone rejects it; or
     * exceptionally when Redis did not answer.
     */
    CompletionStage<List<Long>> take(byte[][] buckets, long[] args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = bytes(Long.toString(args[i]));
        }
        StatefulRedisConnection<byte[], byte[]> c = connection;
        return this.<List<Long>>eval(c, take, TAKE, ScriptOutputType.MULTI, buckets, argv);
    }

    /** A new hold of one request in the limit-conn hashes {@code counts}, under this engine's current name. */
    Hold newHold(byte[][] counts) {
        return new Hold(counts, instance + "/" + holds.incrementAndGet());
    }

    /**
     * limit-conn in Redis: holds the request in each of its hashes if every one is under its
     * {@code max}; completes with 0, or with the 1-based index of the full zone (nothing held),
     * or exceptionally when Redis did not answer (a hold that arrives late is given back).
     */
    CompletionStage<Long> hold(Hold h, long[] max) {
        byte[][] argv = new byte[max.length + 4][];
        argv[0] = bytes(h.field().substring(0, h.field().lastIndexOf('/')));
        argv[1] = bytes(h.field());
        argv[2] = bytes(config.keyPrefix() + "instance:");
        argv[3] = bytes(Long.toString(EXPIRY_MS));
        for (int i = 0; i < max.length; i++) {
            argv[i + 4] = bytes(Long.toString(max[i]));
        }
        StatefulRedisConnection<byte[], byte[]> c = connection;
        return this.<Long>eval(c, hold, HOLD, ScriptOutputType.INTEGER, h.counts(), argv).whenComplete((full, error) -> {
            if (error == null && full == 0) {
                for (byte[] hash : h.counts()) {
                    heldIn.merge(ByteBuffer.wrap(hash), 1, Integer::sum);
                }
            } else if (error != null && c != null && c.isOpen()) {
                // the script may still run when Redis wakes: what it would hold is given back after it
                for (byte[] hash : h.counts()) {
                    c.async().hdel(hash, bytes(h.field()));
                }
            }
        });
    }

    /** Gives back what {@link #hold} held; a failure is counted as an outage (the field goes with the instance name). */
    void giveBack(Hold h) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        for (byte[] hash : h.counts()) {
            heldIn.computeIfPresent(ByteBuffer.wrap(hash), (k, n) -> n > 1 ? n - 1 : null);
            if (c == null) {
                continue;
            }
            c.async().hdel(hash, bytes(h.field())).whenComplete((v, e) -> {
                if (e != null) {
                    markDown(e);
                }
            });
        }
    }

    /** EVALSHA on {@code c}, and EVAL when Redis does not know the script yet (a new or flushed Redis). */
    private <T> CompletionStage<T> eval(StatefulRedisConnection<byte[], byte[]> c, String sha, String script,
            ScriptOutputType type, byte[][] keys, byte[][] argv) {
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
        }
        RedisAsyncCommands<byte[], byte[]> commands = c.async();
        RedisFuture<T> first = commands.evalsha(sha, type, keys, argv);
        return first.handle((v, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(v);
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return commands.<T>eval(script, type, keys, argv);
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(s -> s);
    }

    /** A Redis key: {@code PREFIX kind:zone:key}, the key's characters in UTF-8. */
    byte[] key(String kind, String zone, String key) {
        return bytes(config.keyPrefix() + kind + ":" + zone + ":" + key);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Stops the heartbeat, drops this engine's instance key (what it still held stops counting) and disconnects. */
    void close() {
        heartbeat.cancel(false);
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) {
            try {
                if (state == State.UP) {
                    c.async().del(instanceKey(instance)).get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (Exception e) {
                // Redis is gone or slow: the key expires by itself
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
