package dev.modhttp.engine.modules.metrics;

import io.micrometer.observation.transport.RequestReplySenderContext;
import java.util.function.BiConsumer;

/**
 * The Micrometer observation context of one attempt of the proxy at a backend (Boot's
 * {@code http.client.requests}): the carrier is the attempt's request head, into which a
 * tracer's propagating handler puts the attempt's span ({@code traceparent}, or B3); the response
 * is the backend's status. Its parent is the client request's observation.
 */
public final class EngineUpstreamObservationContext extends RequestReplySenderContext<BiConsumer<String, String>, Integer> {

    private final String upstream;
    private final String method;
    private final String url;

    /**
     * For an attempt at {@code upstream} sending {@code method url}, whose head takes fields through {@code fields}.
     */
    public EngineUpstreamObservationContext(BiConsumer<String, String> fields, String upstream, String method, String url) {
        super(BiConsumer::accept);
        setCarrier(fields);
        setRemoteServiceName(upstream);
        setRemoteServiceAddress(url);
        this.upstream = upstream;
        this.method = method;
        this.url = url;
    }

    /** The upstream's name, or {@code host:port}. */
    public String upstream() {
        return upstream;
    }

    public String method() {
        return method;
    }

    /** The URL sent: the peer's address and the target. */
    public String url() {
        return url;
    }

    /** The backend's status, 502 or 504 when none came (nginx's), or 0 while the attempt runs. */
    public int status() {
        Integer status = getResponse();
        return status == null ? 0 : status;
    }
}
