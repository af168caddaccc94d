package dev.modhttp.boot;

import dev.modhttp.engine.phase.Phase;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean, a {@code @Bean} method or a method of any bean a handler of a request phase.
 *
 * <pre>{@code
 * @Component
 * @PhaseHandler(phase = Phase.ACCESS)
 * class TokenCheck implements Handler {
 *     public Result handle(HttpExchange exchange) { ... }
 * }
 *
 * @Component
 * class Greetings {
 *     @PhaseHandler(phase = Phase.CONTENT)
 *     Result greet(HttpExchange exchange, HelloConfig hello) {   // parameters resolved at startup
 *         exchange.response().body(hello.string());
 *         return Result.OK;
 *     }
 * }
 * }</pre>
 *
 * A method may take the {@code HttpExchange}, the {@code Request}, the {@code Response} and
 * any module's config record by its type; it returns a {@code Result} or a
 * {@code CompletionStage<Result>}. A handler that takes a config record, or names one in
 * {@link #requires()}, is compiled only into the locations where that record is configured.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PhaseHandler {

    /** The phase; FIND_CONFIG, POST_REWRITE and POST_ACCESS take no handlers. */
    Phase phase();

    /** Lower runs first; equal orders keep registration order. */
    int order() default 0;

    /** Runs off the event loop, on the engine's bounded executor (virtual threads on Java 21+). */
    boolean blocking() default false;

    /** Config records that must be configured at a location for the handler to act there. */
    Class<? extends Record>[] requires() default {};
}
