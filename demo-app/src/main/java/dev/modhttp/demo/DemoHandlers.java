package dev.modhttp.demo;

import dev.modhttp.boot.PhaseHandler;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
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

    /** A blocking handler: runs off the event loop, as JDBC or a file API would need (curl /report). */
    @PhaseHandler(phase = Phase.CONTENT, blocking = true)
    Result report(HttpExchange exchange) throws InterruptedException {
        if (!exchange.request().uri().equals("/report")) {
            return Result.DECLINED;
        }
        Thread.sleep(50); // stands for a slow, blocking call
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

    /** A header filter: every response says who served it (curl -i). */
    @Bean
    HeaderFilter poweredBy() {
        return (exchange, next) -> {
            exchange.response().header("X-Powered-By", "modhttp-demo");
            next.next(exchange);
        };
    }
}
