package dev.modhttp.engine;

/** A listen address could not be bound because another process holds it. */
public class PortInUseException extends EngineException {

    private static final long serialVersionUID = 1L;

    private final int port;

    public PortInUseException(String address, int port, Throwable cause) {
        super("Port " + port + " is already in use (listen " + address + ")", cause);
        this.port = port;
    }

    public int port() {
        return port;
    }
}
