package dev.modhttp.engine.module;

import dev.modhttp.engine.http.HttpExchange;
import java.util.function.BiConsumer;

/**
 * A module that observes the requests the proxy sends to backends on a client request's behalf,
 * one call per attempt (nginx tries the next peer as a new attempt). The proxy looks it up among
 * the engine's modules ({@link EngineInfo#module}) once per configuration generation.
 *
 * <p>The metrics module is one: with an {@code ObservationRegistry} each attempt is a Micrometer
 * {@code http.client.requests} observation, a child of the request's own, whose tracing context
 * reaches the backend in the fields it adds (W3C {@code traceparent}, or B3, replacing what the
 * client sent), so that a backend's spans join the client's trace.
 */
public interface UpstreamObserver {

    /**
     * Starts observing one attempt, before its request head is sent.
     *
     * @param exchange the client's request the attempt is made for
     * @param upstream the upstream's name ({@code api}), or {@code host:port} when {@code proxy-pass} names no upstream
     * @param method the method sent
     * @param url the URL sent: {@code http://10.0.0.1:8080/v1/users?q}, the peer's address and the target
     * @param fields puts a header field into the attempt's request head, replacing any of that name
     * @return the attempt's call, or null when it is not observed
     */
    Call start(HttpExchange exchange, String upstream, String method, String url, BiConsumer<String, String> fields);

    /** One observed attempt. Called on the request's event loop. */
    interface Call {

        /** A point in the attempt: {@code "connected"}, {@code "response head"}. */
        void event(String name);

        /**
         * Ends the attempt, once.
         *
         * @param status the backend's status, or 502/504 for an attempt that got none (nginx's)
         * @param failure why the attempt failed (as nginx logs it), or null
         */
        void end(int status, String failure);
    }
}
