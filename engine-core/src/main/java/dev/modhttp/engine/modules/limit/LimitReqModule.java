package dev.modhttp.engine.modules.limit;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.config.Scopes;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's limit_req, in PREACCESS: a leaky bucket per key of a zone. Each key's excess drains at
 * the zone's rate; a request adds one. Above the burst it is rejected with
 * {@code limit-req-status} (503, as nginx; 429 is the modern choice) and a {@code Retry-After}
 * saying when a request would pass; within the burst it waits until the rate allows it, unless
 * {@code nodelay} or {@code delay=N} lets it through at once. With several entries, every one
 * counts and the longest wait applies. Rejections are logged at {@code limit-req-log-level}
 * (error), delays one level lower. {@code limit-req-dry-run: on} only logs and sets
 * {@code $limit_req_status} (PASSED, DELAYED, REJECTED, DELAYED_DRY_RUN, REJECTED_DRY_RUN).
 * A zone declared with {@code backend=redis} counts in Redis with every engine that shares it
 * ({@link RedisZones}): its check is then one asynchronous round trip.
 *
 * <pre>
 * limit-req-zone: ["$binary_remote_addr zone=perip:10m rate=10r/s"]
 * limit-req-status: 429
 * servers:
 *   - locations:
 *       - location: /api/
 *         limit-req: ["zone=perip burst=20 nodelay"]
 * </pre>
 */
public final class LimitReqModule implements Module {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** The zones (main scope) and a scope's limits; entries of a child replace its parent's. */
    public record LimitReqConfig(
            @KeyDoc(meaning = "`[\"$binary_remote_addr zone=perip:10m rate=10r/s\"]`: key (any variables; empty is not "
                    + "counted), name, size (one key per 64 bytes, least recently used forgotten when full), rate (`r/s` or "
                    + "`r/m`); `backend=redis` shares the zone through Redis (`redis`)")
            @Scopes(Scope.MAIN) List<Zone> limitReqZone,
            @KeyDoc(meaning = "`[\"zone=perip burst=20 nodelay\"]` or `delay=N`: nginx's leaky bucket in PREACCESS; beyond "
                    + "the burst rejected with `Retry-After`; within it delayed to the rate; with several entries a request "
                    + "counts in none unless all let it pass; `[]` lifts inherited limits")
            List<LimitReq> limitReq,
            @KeyDoc(defaultValue = "`503`", meaning = "e.g. `429`")
            Integer limitReqStatus,
            @KeyDoc(defaultValue = "`off`", meaning = "log and set `$limit_req_status` only")
            Boolean limitReqDryRun,
            @KeyDoc(defaultValue = "`error`", meaning = "`info`, `notice`, `warn` or `error` for rejections (limit-req delays "
                    + "one level lower)")
            LogLevel limitReqLogLevel) {

        public static final LimitReqConfig DEFAULTS = new LimitReqConfig(List.of(), List.of(), 503, false,
                LogLevel.ERROR);

        public LimitReqConfig {
            if (limitReqStatus != null && (limitReqStatus < 400 || limitReqStatus > 599)) {
                throw new IllegalArgumentException("limit-req-status must be between 400 and 599");
            }
        }
    }

    public static final ConfigSpec<LimitReqConfig> CONFIG = ConfigSpec.flat(LimitReqConfig.class)
            .defaults(LimitReqConfig.DEFAULTS)
            .build();

    /** Where zones with {@code backend=redis} (limit-req's and limit-conn's) are kept. */
    public static final ConfigSpec<RedisConfig> REDIS = RedisConfig.CONFIG;

    /**
     * The attribute holding the request's outcome, a {@link Status}, once a limit was checked;
     * kept across internal redirects, so that a request counts once (nginx's {@code r->main}).
     */
    public static final Object STATUS = new HttpExchange.KeptKey() { };

    /** nginx's $limit_req_status values. */
    public enum Status { PASSED, DELAYED, REJECTED, DELAYED_DRY_RUN, REJECTED_DRY_RUN }

    /** A zone's states, its key compiled, and the Redis it counts in ({@code backend=redis}; else null). */
    record ZoneTable(Zone zone, Template key, long ratePerMs1000, KeyTable<Bucket> buckets, RedisZones redis) {
    }

    /** The outcome of the zones looked at: rejected by the limit at {@code rejectedBy} (ms until one would pass), or a wait. */
    private record Verdict(int rejectedBy, long ms) {
    }

    /** One key's bucket: excess in thousandths of a request, as nginx keeps it. */
    static final class Bucket {
        long excess;
        /** When the last request passed, in ms; -1 for a key seen now for the first time. */
        long last = -1;
    }

    private Map<String, ZoneTable> zones;

    @Override
    public Map<String, Variable> variables() {
        return Map.of("limit_req_status", Zone.attribute(STATUS));
    }

    @Override
    public void register(ModuleRegistry registry) {
        zones = Zone.declare(registry, "limit-req-zone", server -> server.scope().config(CONFIG).limitReqZone(),
                (z, key) -> {
                    if (z.ratePerSecond() == null) {
                        throw new IllegalArgumentException("zone \"" + z.name() + "\" needs rate=");
                    }
                    // a reload keeps a zone's buckets while its name, size and key stay (the rate may change)
                    KeyTable<Bucket> buckets = registry.carry(List.of("limit-req-zone", z.name(), z.size(), z.key()),
                            () -> new KeyTable<>(z.capacity()), null);
                    RedisZones redis = z.backend() == Zone.Backend.REDIS ? Zone.redis(registry, "limit-req-zone") : null;
                    return new ZoneTable(z, key, Math.round(z.ratePerSecond() * 1000), buckets, redis);
                },
                CONFIG, "limit-req", c -> c.limitReq().stream().map(LimitReq::zone).toList());
        registry.handler(Phase.PREACCESS, this::handle).name("limit-req")
                .onlyWhere(l -> !l.config(CONFIG).limitReq().isEmpty());
    }

    private Result handle(HttpExchange exchange) {
        LimitReqConfig conf = exchange.config(CONFIG);
        if (exchange.attribute(STATUS) != null) {
            return Result.DECLINED; // limited once already (an internal redirect came back here)
        }
        List<LimitReq> limits = conf.limitReq();
        String[] keys = new String[limits.size()];
        RedisZones redis = null;
        int shared = 0;
        for (int i = 0; i < limits.size(); i++) {
            ZoneTable t = zones.get(limits.get(i).zone());
            keys[i] = Zone.keyOf(t.key(), exchange, 65535); // nginx does not count an empty key
            if (keys[i] != null && t.redis() != null) {
                redis = t.redis();
                shared++;
            }
        }
        if (redis == null || !redis.usable()) {
            return finish(exchange, conf, passes(limits, keys, false, 0, 1), 0);
        }
        // the zones counted here look first; Redis decides its zones at once; then the zones here count
        Verdict looked = passes(limits, keys, true, 0, 0);
        if (looked.rejectedBy() >= 0) {
            return finish(exchange, conf, looked, 0);
        }
        byte[][] buckets = new byte[shared][];
        long[] args = new long[shared * 3];
        int[] limitOf = new int[shared];
        for (int i = 0, n = 0; i < limits.size(); i++) {
            ZoneTable t = zones.get(limits.get(i).zone());
            if (keys[i] != null && t.redis() != null) {
                LimitReq limit = limits.get(i);
                limitOf[n] = i;
                buckets[n] = redis.key("limit-req", limit.zone(), keys[i]);
                args[n * 3] = t.ratePerMs1000();
                args[n * 3 + 1] = limit.burst();
                args[n * 3 + 2] = limit.delay() == Integer.MAX_VALUE ? -1 : limit.delay();
                n++;
            }
        }
        RedisZones r = redis;
        CompletableFuture<Result> decided = new CompletableFuture<>();
        r.take(buckets, args).whenComplete((answer, error) -> exchange.eventLoop().execute(() -> {
            if (decided.isDone()) {
                return; // the request ended meanwhile
            }
            if (error != null) {
                r.markDown(error);
                decided.complete(finish(exchange, conf, passes(limits, keys, false, 0, 1), 0));
            } else if (answer.get(0) < 0) {
                decided.complete(finish(exchange, conf, new Verdict(limitOf[(int) -answer.get(0) - 1], answer.get(1)), 0));
            } else {
                decided.complete(finish(exchange, conf, passes(limits, keys, true, 1, 1), answer.get(1)));
            }
        }));
        return Result.pending(decided);
    }

    /**
     * nginx's two passes over the zones counted on this engine, from pass {@code first} to pass
     * {@code last}: pass 0 looks in every zone, pass 1 counts in every one, so that a request
     * counts in none unless all let it pass. With {@code skipShared}, the zones counted in Redis
     * are left out.
     */
    private Verdict passes(List<LimitReq> limits, String[] keys, boolean skipShared, int first, int last) {
        long now = System.nanoTime() / 1_000_000;
        long delayMs = 0;
        for (int pass = first; pass <= last; pass++) {
            boolean commit = pass == 1;
            for (int i = 0; i < limits.size(); i++) {
                LimitReq limit = limits.get(i);
                ZoneTable t = zones.get(limit.zone());
                if (keys[i] == null || skipShared && t.redis() != null) {
                    continue;
                }
                long verdict = t.buckets().apply(keys[i], k -> new Bucket(),
                        b -> take(b, now, t.ratePerMs1000(), limit, commit));
                if (verdict < 0) {
                    return new Verdict(i, -verdict);
                }
                delayMs = Math.max(delayMs, verdict);
            }
        }
        return new Verdict(-1, delayMs);
    }

    private Result finish(HttpExchange exchange, LimitReqConfig conf, Verdict verdict, long sharedDelayMs) {
        if (verdict.rejectedBy() >= 0) {
            return reject(exchange, conf, conf.limitReq().get(verdict.rejectedBy()), verdict.ms());
        }
        long delayMs = Math.max(verdict.ms(), sharedDelayMs);
        if (delayMs == 0) {
            exchange.attribute(STATUS, Status.PASSED);
            return Result.DECLINED;
        }
        if (conf.limitReqDryRun()) {
            exchange.attribute(STATUS, Status.DELAYED_DRY_RUN);
            return Result.DECLINED;
        }
        exchange.attribute(STATUS, Status.DELAYED);
        conf.limitReqLogLevel().lower().log(LOG, "delaying request by {} ms, client: {}, request: \"{}\"", delayMs,
                exchange.request().remoteAddressText(), exchange.request().requestLine());
        CompletableFuture<Result> resume = new CompletableFuture<>();
        exchange.eventLoop().schedule(() -> resume.complete(Result.DECLINED), delayMs, TimeUnit.MILLISECONDS);
        return Result.pending(resume);
    }

    /**
     * nginx's leaky bucket: the excess drains by the elapsed time at the rate, the request adds
     * one. Without {@code commit} only looks: 0 when the request fits the burst. With it, counts
     * the request and returns the milliseconds it must wait (0: go on now). Either way, minus
     * the milliseconds until a request would fit when it exceeds the burst (state unchanged).
     */
    static long take(Bucket b, long now, long ratePerMs1000, LimitReq limit, boolean commit) {
        if (b.last < 0) { // a new key passes with nothing in its bucket, as in nginx
            if (commit) {
                b.last = now;
            }
            return 0;
        }
        long elapsed = Math.max(0, now - b.last);
        long excess = b.excess - ratePerMs1000 * elapsed / 1000 + 1000;
        if (excess < 0) {
            excess = 0;
        }
        if (excess > limit.burst() * 1000L) {
            long over = excess - limit.burst() * 1000L;
            return -Math.max(1, over * 1000 / ratePerMs1000);
        }
        if (!commit) {
            return 0;
        }
        b.excess = excess;
        b.last = now;
        if (limit.delay() == Integer.MAX_VALUE || excess <= limit.delay() * 1000L) {
            return 0;
        }
        return (excess - limit.delay() * 1000L) * 1000 / ratePerMs1000;
    }

    private static Result reject(HttpExchange exchange, LimitReqConfig conf, LimitReq limit, long retryMs) {
        String client = exchange.request().remoteAddressText();
        if (conf.limitReqDryRun()) {
            exchange.attribute(STATUS, Status.REJECTED_DRY_RUN);
            LOG.info("limiting requests, dry run, by zone \"{}\", client: {}", limit.zone(), client);
            return Result.DECLINED;
        }
        exchange.attribute(STATUS, Status.REJECTED);
        conf.limitReqLogLevel().log(LOG, "limiting requests, excess over burst {} by zone \"{}\", client: {}, "
                + "request: \"{}\"", limit.burst(), limit.zone(), client, exchange.request().requestLine());
        exchange.response().header("Retry-After", Long.toString(Math.max(1, (retryMs + 999) / 1000)));
        return Result.status(conf.limitReqStatus());
    }
}
