package dev.modhttp.demo;

import dev.modhttp.boot.PhaseHandler;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.modules.websocket.WebSocketEndpoint;
import dev.modhttp.engine.modules.websocket.WebSocketSession;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import java.time.Duration;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One handler, hook and filter of each kind, each visible with curl. */
@Configuration(proxyBeanMethods = false)
class DemoHandlers {

    /** ACCESS: /private/ needs the header X-Demo-Token: letmein (curl -H 'X-Demo-Token: letmein'). */
    @PhaseHandler(phase = Phase.ACCESS)
    Result privateArea(Request request) {
        if (!request.uri().startsWith("/private/")) {
            return Result.DECLINED;
        }
        return "letmein".equals(request.header("X-Demo-Token")) ? Result.OK : Result.status(403);
    }

    /**
     * The config of the blocking handler below: {@code report: { delay: 50ms }} at a location.
     * Taking it as a parameter compiles the handler into those locations only, so that no other
     * request pays for the trip off the event loop.
     */
    public record ReportConfig(Duration delay) {
    }

    public static final ConfigSpec<ReportConfig> REPORT = ConfigSpec.block("report", ReportConfig.class)
            .scopes(Scope.LOCATION)
            .defaults(new ReportConfig(Duration.ofMillis(50)))
            .build();

    /** Declares the {@code report} block (a module may declare configs and register nothing else). */
    @Bean
    Module reportConfig() {
        return new Module() {
            @Override
            public List<ConfigSpec<?>> configs() {
                return List.of(REPORT);
            }

            @Override
            public void register(ModuleRegistry registry) {
                // the handler is the @PhaseHandler method below
            }
        };
    }

    /** A blocking handler: runs off the event loop, as JDBC or a file API would need (curl /report). */
    @PhaseHandler(phase = Phase.CONTENT, blocking = true)
    Result report(HttpExchange exchange, ReportConfig report) throws InterruptedException {
        Thread.sleep(report.delay().toMillis()); // stands for a slow, blocking call
        exchange.response().contentType("text/plain")
                .body("report built on " + (Thread.currentThread().isDaemon() ? "a worker" : "a thread")
                        + ", not the event loop");
        return Result.OK;
    }

    /** A hook: requests for /.git are answered 404 before any phase runs (curl /.git/config). */
    @Bean
    Hook hideGit() {
        return new Hook() {
            @Override
            public HookResult uriClean(HttpExchange exchange) {
                return exchange.request().uri().startsWith("/.git") ? HookResult.finished(404) : HookResult.GO_ON;
            }
        };
    }

    /**
     * A WebSocket endpoint, named after its bean: {@code websocket: echo} at /ws/echo sends each
     * text and binary message back (websocat ws://localhost:8080/ws/echo).
     */
    @Bean
    WebSocketEndpoint echo() {
        return new WebSocketEndpoint() {
            @Override
            public void onText(WebSocketSession session, String message) {
                session.sendText(message);
            }

            @Override
            public void onBinary(WebSocketSession session, byte[] message) {
                session.sendBinary(message);
            }
        };
    }

    /** A header filter: every response says who served it (curl -i). */
    @Bean
    HeaderFilter poweredBy() {
        return (exchange, next) -> {
            exchange.response().header("X-Powered-By", "modhttp-demo");
            next.next(exchange);
        };
    }
}
