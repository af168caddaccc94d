package dev.modhttp.engine.modules.metrics;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import io.micrometer.observation.transport.RequestReplyReceiverContext;

/**
 * The Micrometer observation context of one request the engine serves: the carrier is the
 * request (its header fields are read for propagation, W3C {@code traceparent} or B3, by a
 * tracer's propagating handler), the response is the exchange once it is logged. A custom
 * {@link EngineRequestObservationConvention} reads both.
 */
public final class EngineRequestObservationContext extends RequestReplyReceiverContext<Request, HttpExchange> {

    private final HttpExchange exchange;

    /** For {@code exchange}, whose request is the carrier. */
    public EngineRequestObservationContext(HttpExchange exchange) {
        super(Request::header);
        this.exchange = exchange;
        setCarrier(exchange.request());
    }

    /** The exchange observed: request, response (status), selected location, connection. */
    public HttpExchange exchange() {
        return exchange;
    }
}
