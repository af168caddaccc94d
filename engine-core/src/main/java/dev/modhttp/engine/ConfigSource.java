package dev.modhttp.engine;

import java.util.Map;

/**
 * Where {@link Engine#reload()} reads the configuration again: the starter reads
 * {@code application.yml} and the rest of Spring's configuration anew; without one, a reload
 * compiles the tree the engine was built with again (files it names, htpasswd or certificates,
 * are read again).
 */
public interface ConfigSource {

    /**
     * The raw configuration tree as it is now.
     *
     * @throws RuntimeException when it cannot be read (a YAML syntax error, say); the reload is refused
     */
    Map<String, ?> read();

    /**
     * What to report for a configuration of the last {@link #read()} that the engine refused: by
     * default the error's message; the starter adds the full property name and the file and line
     * where it was set.
     */
    default String describe(RuntimeException error) {
        return error.getMessage();
    }
}
