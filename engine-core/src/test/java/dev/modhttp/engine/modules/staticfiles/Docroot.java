package dev.modhttp.engine.modules.staticfiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * The document root of the static-file tests: files and directories written under a directory
 * (a {@code @TempDir}), parents created as needed, each call returning the root for the next.
 *
 * <pre>{@code
 * Docroot.in(root).file("index.html", "shell").dir("empty").modified("index.html", MTIME);
 * }</pre>
 */
final class Docroot {

    private final Path root;

    private Docroot(Path root) {
        this.root = root;
    }

    static Docroot in(Path root) {
        return new Docroot(root);
    }

    /** {@code relative} with {@code text} in UTF-8. */
    Docroot file(String relative, String text) {
        return file(relative, text.getBytes(StandardCharsets.UTF_8));
    }

    Docroot file(String relative, byte[] bytes) {
        try {
            Path p = root.resolve(relative);
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Docroot dir(String relative) {
        try {
            Files.createDirectories(root.resolve(relative));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets the modification time of {@code relative}. */
    Docroot modified(String relative, Instant time) {
        try {
            Files.setLastModifiedTime(root.resolve(relative), FileTime.from(time));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A symbolic link at {@code relative} to {@code target}. */
    Docroot symlink(String relative, Path target) {
        try {
            Files.createSymbolicLink(root.resolve(relative), target);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path() {
        return root;
    }

    /**
     * The engine config of one server on a random loopback port serving this root:
     * {@code serverKeys} (YAML lines, may be empty) at server scope, then {@code locations}
     * (YAML list items).
     */
    String server(String serverKeys, String locations) {
        return """
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                %s
                    locations:
                %s
                """.formatted(root, serverKeys.indent(4).stripTrailing(), locations.indent(6).stripTrailing());
    }
}
