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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limit zones kept in Redis ({@code backend=redis} on a {@code limit-req-zone} or
 * {@code limit-conn-zone}), so that every engine pointing at the same Redis counts together.
 * One connection per engine (Lettuce, asynchronous: no event loop waits on Redis); a check is
 * one {@code EVALSHA} round trip running the whole decision atomically in Redis, on Redis's
 * clock, so that instances whose clocks differ still agree.
 *
 * <p>When Redis does not answer within {@code redis.timeout} (or is not connected), the check
 * falls back to the zone's local table on this engine and a warning is logged once; while it
 * is down, requests use the local tables and Redis is asked again at most once a second; when
 * it answers, counting goes back to Redis and that is logged once too. What the local tables
 * counted meanwhile is not added to Redis.
 *
 * <p>Keys: {@code PREFIX limit-req:ZONE:KEY} (a hash of the excess in thousandths of a request
 * and the time of the last request, expiring once drained) and {@code PREFIX limit-conn:ZONE:KEY}
 * (a hash of the requests each engine holds). Every engine refreshes
 * {@code PREFIX instance:ID} every 5 s (expiring after 15 s); an engine that vanished without
 * giving back what it held stops counting once its key expired.
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
     * limit-conn: holds one request in each zone (KEYS) while every zone is under its maximum
     * (ARGV[3..]), counting only engines whose instance key lives; else holds none and answers
     * the 1-based index of the zone that is full.
     */
    private static final String HOLD = """
            for i = 1, #KEYS do
              local total = 0
              local f = redis.call('HGETALL', KEYS[i])
              for j = 1, #f, 2 do
                if f[j] == ARGV[1] or redis.call('EXISTS', ARGV[2] .. f[j]) == 1 then
                  total = total + tonumber(f[j + 1])
                else
                  redis.call('HDEL', KEYS[i], f[j])
                end
              end
              if total >= tonumber(ARGV[i + 2]) then
                for k = 1, i - 1 do
                  if redis.call('HINCRBY', KEYS[k], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[k], ARGV[1]) end
                end
                return i
              end
              redis.call('HINCRBY', KEYS[i], ARGV[1], 1)
            end
            return 0
            """;

    private static final String GIVE_BACK = """
            for i = 1, #KEYS do
              if redis.call('HINCRBY', KEYS[i], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[i], ARGV[1]) end
            end
            return 0
            """;

    private static final long HEARTBEAT_MS = 5000;

    private final RedisConfig config;
    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final String take;
    private final String hold;
    private final String giveBack;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final ScheduledFuture<?> heartbeat;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile boolean down;
    private volatile long nextProbe;
    /** This engine's name in the limit-conn hashes; a new one after each outage (what it held before is dropped). */
    private volatile String instance = UUID.randomUUID().toString();

    /**
     * Connects (waiting up to the timeout, at least 1 s); an engine whose Redis is not there yet
     * starts anyway, counting locally, and connects when Redis comes.
     *
     * @throws IllegalArgumentException for a URL Lettuce does not read
     */
    RedisZones(RedisConfig config) {
        this.config = config;
        Objects.requireNonNull(config.url(), "redis.url");
        this.uri = RedisURI.create(config.url());
        uri.setTimeout(config.timeout());
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .build();
        this.client = RedisClient.create(resources);
        Duration second = Duration.ofSeconds(1);
        Duration connectTimeout = config.timeout().compareTo(second) < 0 ? second : config.timeout();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false) // reconnected by probe(), at most once a second, logged once per outage
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
                .build());
        try {
            connection = client.connect(ByteArrayCodec.INSTANCE, uri);
            LOG.info("limit zones with backend=redis count in redis at {}", where());
        } catch (RuntimeException e) {
            markDown(e);
        }
        this.take = sha1(TAKE);
        this.hold = sha1(HOLD);
        this.giveBack = sha1(GIVE_BACK);
        this.heartbeat = resources.eventExecutorGroup().scheduleAtFixedRate(this::beat, 0, HEARTBEAT_MS,
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

    /** Whether checks go to Redis now; false sends them to the local tables (and, once a second, asks Redis again). */
    boolean usable() {
        if (!down) {
            StatefulRedisConnection<byte[], byte[]> c = connection;
            if (c != null && c.isOpen()) {
                return true;
            }
            markDown(new IllegalStateException("the connection closed"));
        }
        long now = System.nanoTime();
        if (now - nextProbe >= 0 && probing.compareAndSet(false, true)) {
            nextProbe = now + TimeUnit.SECONDS.toNanos(1);
            probe();
        }
        return false;
    }

    /** A PING on an open connection, else a new connection: the engine reconnects itself, at most once a second. */
    private void probe() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        CompletionStage<?> answer;
        if (c != null && c.isOpen()) {
            answer = c.async().ping();
        } else {
            if (c != null) {
                connection = null;
                c.closeAsync();
            }
            answer = client.connectAsync(ByteArrayCodec.INSTANCE, uri).thenApply(made -> {
                connection = made;
                return made;
            });
        }
        answer.whenComplete((ok, error) -> {
            probing.set(false);
            if (error == null && down) {
                instance = UUID.randomUUID().toString();
                down = false;
                beat();
                LOG.info("redis at {} answers again; limit zones with backend=redis count in redis", where());
            }
        });
    }

    /** Counts a failed command: the first failure of an outage is logged; checks go local until Redis answers. */
    void markDown(Throwable error) {
        nextProbe = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        if (!down) {
            down = true;
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            LOG.warn("redis at {} does not answer ({}); limit zones with backend=redis count on this engine alone "
                    + "until it does", where(), cause.toString());
        }
    }

    private String where() {
        return uri.getHost() == null ? config.url().replaceAll("//[^@/]*@", "//") : uri.getHost() + ":" + uri.getPort();
    }

    private void beat() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null && !down) {
            c.async().set(bytes(config.keyPrefix() + "instance:" + instance), bytes("1"),
                    SetArgs.Builder.px(3 * HEARTBEAT_MS));
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
        return this.<List<Long>>eval(take, TAKE, ScriptOutputType.MULTI, buckets, argv);
    }

    /**
     * limit-conn in Redis: holds one request in each of {@code counts} if every one is under
     * its {@code max}; completes with 0, or with the 1-based index of the full zone (nothing
     * held), or exceptionally when Redis did not answer. {@code holder} receives the instance
     * name the request is held under, for {@link #giveBack}.
     */
    CompletionStage<Long> hold(byte[][] counts, long[] max, String[] holder) {
        String me = instance;
        holder[0] = me;
        byte[][] argv = new byte[max.length + 2][];
        argv[0] = bytes(me);
        argv[1] = bytes(config.keyPrefix() + "instance:");
        for (int i = 0; i < max.length; i++) {
            argv[i + 2] = bytes(Long.toString(max[i]));
        }
        return this.<Long>eval(hold, HOLD, ScriptOutputType.INTEGER, counts, argv);
    }

    /** Gives back what {@link #hold} held; a failure is logged as an outage (the count is dropped with the instance name). */
    void giveBack(byte[][] counts, String holder) {
        this.<Long>eval(giveBack, GIVE_BACK, ScriptOutputType.INTEGER, counts, new byte[][] {bytes(holder)})
                .whenComplete((v, e) -> {
                    if (e != null) {
                        markDown(e);
                    }
                });
    }

    /** EVALSHA, and EVAL when Redis does not know the script yet (a new or flushed Redis). */
    private <T> CompletionStage<T> eval(String sha, String script, ScriptOutputType type, byte[][] keys, byte[][] argv) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
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
                if (!down) {
                    c.async().del(bytes(config.keyPrefix() + "instance:" + instance)).get(config.timeout().toMillis(),
                            TimeUnit.MILLISECONDS);
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
