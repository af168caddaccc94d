package dev.modhttp.engine.exchange;

import java.util.function.Supplier;

/**
 * One connection's {@link Binding}, taken again from its listening socket as each request (or
 * HTTP/2 stream) starts: a reload's new generation serves the connection's next request, while
 * the one in flight keeps the runtime it started with. Used on the connection's event loop only;
 * an HTTP/1 connection that switches to HTTP/2 hands it over.
 */
public final class ConnectionBinding {

    private final Supplier<Binding> source;
    private EngineRuntime runtime;
    private VirtualHosts hosts;
    private boolean unbound;

    /**
     * @param first the binding the connection was accepted with
     * @param source the socket's current binding; null once a reload removed the socket's addresses
     */
    public ConnectionBinding(Binding first, Supplier<Binding> source) {
        this.source = source;
        this.runtime = first.runtime();
        this.hosts = first.hosts();
    }

    /** A request starts: it runs on the socket's current generation (or, if the socket was removed, on the last one). */
    public void refresh() {
        Binding b = source.get();
        if (b == null) {
            unbound = true;
        } else if (b.runtime() != runtime) {
            runtime = b.runtime();
            hosts = b.hosts();
        }
    }

    public EngineRuntime runtime() {
        return runtime;
    }

    public VirtualHosts hosts() {
        return hosts;
    }

    /**
     * Whether the response being sent is the connection's last: the engine stops, or a reload
     * removed its address (or changed how the address speaks: TLS, the PROXY protocol), also
     * while this response was in flight.
     */
    public boolean closing() {
        if (!unbound && source.get() == null) {
            unbound = true;
        }
        return unbound || runtime.draining();
    }
}
