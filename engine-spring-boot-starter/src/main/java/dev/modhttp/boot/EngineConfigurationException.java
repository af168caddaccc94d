package dev.modhttp.boot;

/**
 * A bad {@code engine.*} property, with the property's full name and where it was set
 * (file and line, as Spring tracks it) when that is known.
 */
public class EngineConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;
    private final String origin;
    private final String reason;

    EngineConfigurationException(String property, String origin, String reason, Throwable cause) {
        super(property + ": " + reason + (origin == null ? "" : " (from " + origin + ")"), cause);
        this.property = property;
        this.origin = origin;
        this.reason = reason;
    }

    public String property() {
        return property;
    }

    /** Where the value was set, for example {@code class path resource [application.yml] - 12:7}; may be null. */
    public String origin() {
        return origin;
    }

    public String reason() {
        return reason;
    }
}
