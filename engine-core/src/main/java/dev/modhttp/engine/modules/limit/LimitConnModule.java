package dev.modhttp.engine.modules.limit;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.config.Scopes;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's limit_conn, in PREACCESS: at most N requests in progress at once per key of a zone;
 * one more is rejected with {@code limit-conn-status} (503, as nginx). A request counts from
 * PREACCESS until it is done; rejections are logged at {@code limit-conn-log-level} (error).
 * {@code limit-conn-dry-run: on} only logs and sets
 * {@code $limit_conn_status} (PASSED, REJECTED, REJECTED_DRY_RUN). Zones declared with
 * {@code backend=redis} count in Redis with every engine that shares them ({@link RedisZones}):
 * the request is held in all of them at once, or in none.
 *
 * <pre>
 * limit-conn-zone: ["$binary_remote_addr zone=addr:10m"]
 * servers:
 *   - locations:
 *       - location: /download/
 *         limit-conn: ["addr 2"]
 * </pre>
 */
public final class LimitConnModule implements Module {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** The zones (main scope) and a scope's limits; entries of a child replace its parent's. */
    public record LimitConnConfig(
            @KeyDoc(meaning = "`[\"$binary_remote_addr zone=addr:10m\"]`; `backend=redis` as for limit-req-zone")
            @Scopes(Scope.MAIN) List<Zone> limitConnZone,
            @KeyDoc(meaning = "`[\"addr 10\"]`: requests in progress per key")
            List<Limit> limitConn,
            @KeyDoc(defaultValue = "`503`", meaning = "as for limit-req; `$limit_conn_status`")
            Integer limitConnStatus,
            @KeyDoc(defaultValue = "`off`", meaning = "as for limit-req; `$limit_conn_status`")
            Boolean limitConnDryRun,
            @KeyDoc(defaultValue = "`error`", meaning = "`info`, `notice`, `warn` or `error` for rejections (limit-req delays "
                    + "one level lower)")
            LogLevel limitConnLogLevel) {

        public static final LimitConnConfig DEFAULTS = new LimitConnConfig(List.of(), List.of(), 503, false,
                LogLevel.ERROR);

        public LimitConnConfig {
            if (limitConnStatus != null && (limitConnStatus < 400 || limitConnStatus > 599)) {
                throw new IllegalArgumentException("limit-conn-status must be between 400 and 599");
            }
        }
    }

    /** One {@code limit-conn} entry: {@code "zone number"}. */
    public record Limit(String zone, int max) {
        public static Limit parse(String text) {
            String[] parts = text.trim().split("\\s+");
            try {
                int max = parts.length == 2 ? Integer.parseInt(parts[1]) : 0;
                if (max > 0) {
                    return new Limit(parts[0], max);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("'" + text + "' is not \"zone number\" with a number above 0");
        }
    }

    public static final ConfigSpec<LimitConnConfig> CONFIG = ConfigSpec.flat(LimitConnConfig.class)
            .defaults(LimitConnConfig.DEFAULTS)
            .build();

    /** nginx's $limit_conn_status values. */
    public enum Status { PASSED, REJECTED, REJECTED_DRY_RUN }

    /**
     * The attribute holding the request's {@link Status} once a limit was checked; kept across
     * internal redirects, as what the request holds, so that it counts once and gives back
     * what it held when it ends.
     */
    public static final Object STATUS = new HttpExchange.KeptKey() { };
    private static final Object HELD = new HttpExchange.KeptKey() { };

    /** A zone's counts, its key compiled, and the Redis it counts in ({@code backend=redis}; else null). */
    record ZoneTable(Zone zone, Template key, KeyTable<int[]> counts, RedisZones redis) {
    }

    private Map<String, ZoneTable> zones;

    @Override
    public Map<String, Variable> variables() {
        return Map.of("limit_conn_status", Zone.attribute(STATUS));
    }

    @Override
    public void register(ModuleRegistry registry) {
        zones = Zone.declare(registry, "limit-conn-zone", server -> server.scope().config(CONFIG).limitConnZone(),
                (z, key) -> new ZoneTable(z, key, registry.carry(List.of("limit-conn-zone", z.name(), z.size(), z.key()),
                        () -> new KeyTable<>(z.capacity()), null), // a reload keeps the counts of a zone that stays
                        z.backend() == Zone.Backend.REDIS ? Zone.redis(registry, "limit-conn-zone") : null),
                CONFIG, "limit-conn", c -> c.limitConn().stream().map(Limit::zone).toList());
        registry.handler(Phase.PREACCESS, this::handle).name("limit-conn").order(Order.LATE)
                .onlyWhere(l -> !l.config(CONFIG).limitConn().isEmpty());
        registry.hook(new Hook() {
            @Override
            public HookResult requestDone(HttpExchange exchange) {
                release(exchange);
                return HookResult.GO_ON;
            }
        });
    }

    private Result handle(HttpExchange exchange) {
        if (exchange.attribute(STATUS) != null) {
            return Result.DECLINED; // counted once already (an internal redirect came back here)
        }
        LimitConnConfig conf = exchange.config(CONFIG);
        List<Runnable> held = new ArrayList<>(conf.limitConn().size());
        exchange.attribute(HELD, held);
        List<Limit> shared = new ArrayList<>(0);
        List<String> sharedKeys = new ArrayList<>(0);
        RedisZones redis = null;
        for (Limit limit : conf.limitConn()) {
            ZoneTable t = zones.get(limit.zone());
            String key = Zone.keyOf(t.key(), exchange, 255);
            if (key == null) {
                continue; // nginx does not count an empty (or overlong) key
            }
            if (t.redis() != null && t.redis().usable()) {
                redis = t.redis();
                shared.add(limit);
                sharedKeys.add(key);
            } else if (!admit(exchange, conf, limit, t, key, held)) {
                return Result.status(conf.limitConnStatus());
            }
        }
        if (redis == null) {
            return passed(exchange);
        }
        // the zones in Redis hold the request at once, or none of them does
        RedisZones r = redis;
        byte[][] counts = new byte[shared.size()][];
        long[] max = new long[shared.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = r.key("limit-conn", shared.get(i).zone(), sharedKeys.get(i));
            max[i] = shared.get(i).max();
        }
        RedisZones.Hold hold = r.newHold(counts);
        CompletableFuture<Result> decided = new CompletableFuture<>();
        r.hold(hold, max).whenComplete((full, error) -> exchange.eventLoop().execute(() -> {
            if (decided.isDone()) { // the request ended meanwhile
                if (error == null && full == 0) {
                    r.giveBack(hold);
                }
                return;
            }
            if (error != null) {
                r.markDown(error);
                for (int i = 0; i < counts.length; i++) {
                    Limit limit = shared.get(i);
                    if (!admit(exchange, conf, limit, zones.get(limit.zone()), sharedKeys.get(i), held)) {
                        decided.complete(Result.status(conf.limitConnStatus()));
                        return;
                    }
                }
            } else if (full > 0) {
                if (!refuse(exchange, conf, shared.get((int) (full - 1)))) {
                    decided.complete(Result.status(conf.limitConnStatus()));
                    return;
                }
            } else {
                held.add(() -> r.giveBack(hold));
            }
            decided.complete(passed(exchange));
        }));
        return Result.pending(decided);
    }

    /** Counts the request in a zone's local table; false when it is full and the request is rejected. */
    private static boolean admit(HttpExchange exchange, LimitConnConfig conf, Limit limit, ZoneTable t, String key,
            List<Runnable> held) {
        boolean admitted = t.counts().apply(key, k -> new int[1], count -> {
            if (count[0] >= limit.max()) {
                return false;
            }
            count[0]++;
            return true;
        });
        if (admitted) {
            held.add(() -> t.counts().update(key, count -> --count[0] <= 0));
            return true;
        }
        return refuse(exchange, conf, limit);
    }

    /** A full zone: logs it; false when the request is rejected, true in a dry run. */
    private static boolean refuse(HttpExchange exchange, LimitConnConfig conf, Limit limit) {
        String client = exchange.request().remoteAddressText();
        if (conf.limitConnDryRun()) {
            LOG.info("limiting connections, dry run, by zone \"{}\", client: {}", limit.zone(), client);
            exchange.attribute(STATUS, Status.REJECTED_DRY_RUN);
            return true;
        }
        conf.limitConnLogLevel().log(LOG, "limiting connections by zone \"{}\", client: {}, request: \"{}\"",
                limit.zone(), client, exchange.request().requestLine());
        exchange.attribute(STATUS, Status.REJECTED);
        return false;
    }

    private static Result passed(HttpExchange exchange) {
        if (exchange.attribute(STATUS) == null) {
            exchange.attribute(STATUS, Status.PASSED);
        }
        return Result.DECLINED;
    }

    private static void release(HttpExchange exchange) {
        List<Runnable> held = exchange.attribute(HELD);
        if (held == null) {
            return;
        }
        exchange.attribute(HELD, null);
        held.forEach(Runnable::run);
    }
}
