package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

/**
 * Limit zones with {@code backend=redis} in a Spring application: the Redis comes from
 * {@code spring.data.redis.*} unless the engine's {@code redis.url} is set. (Two engines sharing
 * a zone through a real Redis: engine-core's {@code RedisZonesTests}.)
 */
@ExtendWith(OutputCaptureExtension.class)
class EngineRedisTests {

    private static Map<String, Object> redisOf(MockEnvironment env, Map<String, Object> tree) {
        BootServerProperties.redis(env, tree);
        @SuppressWarnings("unchecked")
        Map<String, Object> block = (Map<String, Object>) tree.get("redis");
        return block;
    }

    @Test
    void springDataRedisPropertiesGiveTheUrl() {
        MockEnvironment env = new MockEnvironment()
                .withProperty("spring.data.redis.host", "cache.internal")
                .withProperty("spring.data.redis.port", "6380")
                .withProperty("spring.data.redis.username", "engine")
                .withProperty("spring.data.redis.password", "p@ss word")
                .withProperty("spring.data.redis.database", "2")
                .withProperty("spring.data.redis.ssl.enabled", "true");
        assertThat(redisOf(env, new LinkedHashMap<>()))
                .containsEntry("url", "rediss://engine:p%40ss%20word@cache.internal:6380/2");
        MockEnvironment byUrl = new MockEnvironment().withProperty("spring.data.redis.url", "redis://r:6379/1");
        assertThat(redisOf(byUrl, new LinkedHashMap<>())).containsEntry("url", "redis://r:6379/1");
        assertThat(redisOf(new MockEnvironment(), new LinkedHashMap<>())).as("nothing set: the engine's default").isNull();
    }

    @Test
    void theEnginesOwnRedisUrlWinsAndItsOtherKeysStay() {
        MockEnvironment env = new MockEnvironment().withProperty("spring.data.redis.host", "cache.internal");
        Map<String, Object> own = new LinkedHashMap<>(Map.of("url", "redis://mine:6379"));
        Map<String, Object> tree = new LinkedHashMap<>(Map.of("redis", own));
        assertThat(redisOf(env, tree)).containsEntry("url", "redis://mine:6379");
        Map<String, Object> timeoutOnly = new LinkedHashMap<>(Map.of("redis", Map.of("timeout", "100ms")));
        assertThat(redisOf(env, timeoutOnly)).containsEntry("url", "redis://cache.internal:6379")
                .containsEntry("timeout", "100ms");
    }

    @Test
    void anApplicationsSpringDataRedisIsWhereItsZonesCount(CapturedOutput output) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EngineAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.port=1", "engine.servers[0].listen[0]=127.0.0.1:0",
                        "engine.limit-req-zone[0]=$binary_remote_addr zone=api:1m rate=10r/s backend=redis",
                        "engine.servers[0].locations[0].location=/",
                        "engine.servers[0].locations[0].limit-req[0]=zone=api")
                .run(context -> {
                    assertThat(context).hasNotFailed(); // Redis is not there: the zone counts on this engine meanwhile
                    long deadline = System.nanoTime() + 5_000_000_000L; // a refused connection fails at once; 5 s is room
                    while (!output.getAll().contains("redis at localhost:1 fails") && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(output).contains("redis at localhost:1 fails");
                });
    }
}
