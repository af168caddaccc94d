package dev.modhttp.engine.core;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The directories temporary files go to ({@code client-body-temp-path}, {@code proxy-temp-path}),
 * made ready at startup as nginx makes them: the last level is created when missing; a missing
 * parent, a path that is not a directory or one that cannot be written fails startup naming the
 * key and the location, instead of failing each request that needs a file.
 */
public final class TempDirectories {

    private TempDirectories() {
    }

    /** A new empty file {@code prefix*.tmp} in {@code dir}, or in the JVM's temporary directory when it is null. */
    public static Path newFile(Path dir, String prefix) throws IOException {
        return Files.createTempFile(dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir")), prefix, ".tmp");
    }

    /**
     * Checks (and creates) the directory {@code key} names at {@code location}, if it names one.
     *
     * @throws ConfigException when it cannot hold temporary files
     */
    public static void prepare(Location location, String key, Function<Location, Path> dir) {
        Path d = dir.apply(location);
        if (d == null) {
            return;
        }
        try {
            if (!Files.exists(d)) {
                Files.createDirectory(d);
            }
        } catch (IOException e) {
            throw new ConfigException(location.path(), key, "cannot create the directory " + d + ": " + e, e);
        }
        if (!Files.isDirectory(d)) {
            throw new ConfigException(location.path(), key, d + " is not a directory");
        }
        if (!Files.isWritable(d)) {
            throw new ConfigException(location.path(), key, "the directory " + d + " cannot be written");
        }
    }
}
