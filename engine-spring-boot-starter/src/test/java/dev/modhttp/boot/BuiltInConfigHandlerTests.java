package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.Http2Config;
import dev.modhttp.engine.core.SslConfig;
import dev.modhttp.engine.modules.access.AccessModule.AccessConfig;
import dev.modhttp.engine.modules.auth.AuthBasicModule.AuthBasicConfig;
import dev.modhttp.engine.modules.compression.CompressionConfig;
import dev.modhttp.engine.modules.headers.HeadersConfig;
import dev.modhttp.engine.modules.limit.LimitConnModule.LimitConnConfig;
import dev.modhttp.engine.modules.limit.LimitReqModule.LimitReqConfig;
import dev.modhttp.engine.modules.limit.RedisConfig;
import dev.modhttp.engine.modules.log.AccessLogModule.AccessLogConfig;
import dev.modhttp.engine.modules.proxy.ProxyConfig;
import dev.modhttp.engine.modules.proxy.ProxyHeadersConfig;
import dev.modhttp.engine.modules.proxy.ProxyPassConfig;
import dev.modhttp.engine.modules.proxy.UpstreamsConfig;
import dev.modhttp.engine.modules.realip.RealIpConfig;
import dev.modhttp.engine.modules.rewrite.ReturnConfig;
import dev.modhttp.engine.modules.rewrite.RewriteModule.RewriteConfig;
import dev.modhttp.engine.modules.staticfiles.StaticConfig;
import dev.modhttp.engine.modules.staticfiles.TryFilesModule.TryFilesConfig;
import dev.modhttp.engine.modules.status.StubStatusModule.StubStatusConfig;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A {@code @PhaseHandler} method may take the config record of every built-in module, as its
 * javadoc promises: each one below starts, and the list covers every record the engine declares.
 */
class BuiltInConfigHandlerTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EngineAutoConfiguration.class))
            .withPropertyValues("engine.servers[0].listen[0]=127.0.0.1:0",
                    "engine.servers[0].locations[0].location=/");

    static class TakesCore {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(CoreConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesSsl {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(SslConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesHttp2 {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(Http2Config c) {
            return Result.DECLINED;
        }
    }

    static class TakesRewrite {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(RewriteConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesReturn {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(ReturnConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesTryFiles {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(TryFilesConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesStatic {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(StaticConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesHeaders {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(HeadersConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesCompression {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(CompressionConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesRealIp {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(RealIpConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesLimitReq {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(LimitReqConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesLimitConn {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(LimitConnConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesRedis {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(RedisConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesAccess {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(AccessConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesAuthBasic {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(AuthBasicConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesStubStatus {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(StubStatusConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesAccessLog {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(AccessLogConfig c) {
            return Result.DECLINED;
        }
    }

    /** Requiring a record instead of taking it. */
    static class RequiresStatic {
        @PhaseHandler(phase = Phase.ACCESS, requires = StaticConfig.class)
        Result handle() {
            return Result.DECLINED;
        }
    }

    static class TakesProxyPass {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(ProxyPassConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesProxy {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(ProxyConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesProxyHeaders {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(ProxyHeadersConfig c) {
            return Result.DECLINED;
        }
    }

    static class TakesUpstreams {
        @PhaseHandler(phase = Phase.ACCESS)
        Result handle(UpstreamsConfig c) {
            return Result.DECLINED;
        }
    }

    static final Map<Class<?>, Class<?>> HANDLERS = Map.ofEntries(
            Map.entry(CoreConfig.class, TakesCore.class),
            Map.entry(SslConfig.class, TakesSsl.class),
            Map.entry(Http2Config.class, TakesHttp2.class),
            Map.entry(RewriteConfig.class, TakesRewrite.class),
            Map.entry(ReturnConfig.class, TakesReturn.class),
            Map.entry(TryFilesConfig.class, TakesTryFiles.class),
            Map.entry(StaticConfig.class, TakesStatic.class),
            Map.entry(HeadersConfig.class, TakesHeaders.class),
            Map.entry(CompressionConfig.class, TakesCompression.class),
            Map.entry(RealIpConfig.class, TakesRealIp.class),
            Map.entry(LimitReqConfig.class, TakesLimitReq.class),
            Map.entry(LimitConnConfig.class, TakesLimitConn.class),
            Map.entry(RedisConfig.class, TakesRedis.class),
            Map.entry(AccessConfig.class, TakesAccess.class),
            Map.entry(AuthBasicConfig.class, TakesAuthBasic.class),
            Map.entry(StubStatusConfig.class, TakesStubStatus.class),
            Map.entry(AccessLogConfig.class, TakesAccessLog.class),
            Map.entry(ProxyPassConfig.class, TakesProxyPass.class),
            Map.entry(ProxyConfig.class, TakesProxy.class),
            Map.entry(ProxyHeadersConfig.class, TakesProxyHeaders.class),
            Map.entry(UpstreamsConfig.class, TakesUpstreams.class));

    static Stream<Arguments> builtInRecords() {
        return HANDLERS.entrySet().stream().map(e -> Arguments.of(e.getKey().getSimpleName(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtInRecords")
    void aHandlerMethodTakesTheRecord(String record, Class<?> handlers) {
        runner.withBean(handlers).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Engine.class).pipelines()).isNotEmpty();
        });
    }

    @Test
    void aHandlerMethodRequiresABuiltInRecord() {
        runner.withBean(RequiresStatic.class).run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void everyBuiltInRecordIsCovered() {
        assertThat(Engine.builder().configs().stream().map(ConfigSpec::type).collect(Collectors.toSet()))
                .isEqualTo(HANDLERS.keySet());
    }
}
