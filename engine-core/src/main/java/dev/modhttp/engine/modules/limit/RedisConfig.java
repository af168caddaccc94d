package dev.modhttp.engine.modules.limit;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import java.time.Duration;

/**
 * The {@code redis:} block, at main scope: the Redis that limit zones with {@code backend=redis}
 * share ({@link RedisZones}). Not read unless such a zone is declared.
 *
 * <pre>
 * redis:
 *   url: redis://redis.internal:6379
 *   timeout: 100ms
 * limit-req-zone: ["$binary_remote_addr zone=api:10m rate=10r/s backend=redis"]
 * </pre>
 *
 * @param url Lettuce's URI: {@code redis://[user:password@]host[:port][/database]},
 *     {@code rediss://} for TLS, {@code redis-sentinel://}; default {@code redis://localhost:6379}
 *     (in the starter, from {@code spring.data.redis.*} when this block does not set it)
 * @param timeout how long a check waits for Redis before it counts locally; default 250ms
 * @param keyPrefix the start of every key the engine writes; default {@code modhttp:}
 */
@KeyDoc(defaultValue = "`{url: redis://localhost:6379, timeout: 250ms, key-prefix: \"modhttp:\"}`",
        meaning = "where zones with `backend=redis` count; `url` is Lettuce's (`rediss://` for TLS, `redis-sentinel://`), "
        + "from `spring.data.redis.*` in the starter; `timeout`: how long a check waits before it counts locally")
public record RedisConfig(String url, Duration timeout, String keyPrefix) {

    public static final RedisConfig DEFAULTS = new RedisConfig("redis://localhost:6379", Duration.ofMillis(250),
            "modhttp:");

    public static final ConfigSpec<RedisConfig> CONFIG = ConfigSpec.block("redis", RedisConfig.class)
            .scopes(Scope.MAIN)
            .defaults(DEFAULTS)
            .build();

    public RedisConfig {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("redis.timeout must be above 0");
        }
        if (timeout != null && timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("redis.timeout must be at most 1m (a limit check waits that long)");
        }
    }
}
