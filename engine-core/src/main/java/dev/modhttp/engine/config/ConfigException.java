package dev.modhttp.engine.config;

/**
 * A configuration error found while the engine is built. The message always names the key,
 * the scope path it was found at (for example {@code servers[0].locations[2]}) and what was
 * expected, so that a bad config fails startup with a message a user can act on.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String key;

    public ConfigException(String path, String key, String message) {
        this(path, key, message, null);
    }

    public ConfigException(String path, String key, String message, Throwable cause) {
        super(format(path, key, message), cause);
        this.path = path;
        this.key = key;
    }

    private static String format(String path, String key, String message) {
        String where = path == null || path.isEmpty() ? "engine" : "engine." + path;
        return key == null ? where + ": " + message : where + "." + key + ": " + message;
    }

    /** The scope path, for example {@code servers[0].locations[2]}; empty for the main scope. */
    public String path() {
        return path;
    }

    /** The offending key, or null when the error is about a whole block. */
    public String key() {
        return key;
    }
}
