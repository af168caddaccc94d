package dev.modhttp.boot.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fenced code blocks of the project's {@code README.md}, each with the HTML comment that
 * may stand right before it ({@code <!-- file: samples/quickstart/pom.xml -->}) saying what the
 * tests do with it.
 */
public final class Readme {

    /** A fenced block: its language, its text (ending in a newline), the marker before it, its first line. */
    public record Block(int line, String language, String marker, String text) {

        /** The marker's argument when it starts with {@code kind + ":"}, else null. */
        public String marked(String kind) {
            return marker != null && marker.startsWith(kind + ":") ? marker.substring(kind.length() + 1).trim() : null;
        }

        @Override
        public String toString() {
            return "README.md:" + line + " (" + language + (marker == null ? "" : ", " + marker) + ")";
        }
    }

    private Readme() {
    }

    /** The project's root: the nearest directory above the working directory that holds README.md and mvnw. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("mvnw")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no README.md with mvnw above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    public static List<Block> blocks() {
        return blocks(read(root().resolve("README.md")));
    }

    public static List<Block> blocks(String markdown) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        String marker = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("```") && line.length() > 3) {
                int start = i;
                StringBuilder text = new StringBuilder();
                while (++i < lines.length && !lines[i].equals("```")) {
                    text.append(lines[i]).append('\n');
                }
                if (i == lines.length) {
                    throw new IllegalStateException("README.md:" + (start + 1) + ": the block is never closed");
                }
                blocks.add(new Block(start + 1, line.substring(3).trim(), marker, text.toString()));
                marker = null;
            } else if (line.startsWith("<!--") && line.endsWith("-->")) {
                marker = line.substring(4, line.length() - 3).trim();
            } else if (!line.isBlank()) {
                marker = null;
            }
        }
        return blocks;
    }

    public static List<Block> blocks(String language, String markerKind) {
        return blocks().stream().filter(b -> b.language().equals(language))
                .filter(b -> markerKind == null || b.marked(markerKind) != null).toList();
    }

    /**
     * The key rows of the README's configuration reference, each split into its cells at the
     * unescaped {@code |} ({@code [ "", key, scopes, default, meaning ]}).
     */
    public static List<String[]> referenceRows() {
        String readme = read(root().resolve("README.md"));
        String table = readme.substring(readme.indexOf("## Configuration reference"));
        table = table.substring(0, table.indexOf("\n\n", table.indexOf("| key |")));
        List<String[]> rows = new java.util.ArrayList<>();
        for (String row : table.split("\n")) {
            String[] cells = row.split("(?<!\\\\)\\|");
            if (cells.length >= 5 && cells[1].trim().startsWith("`")) {
                rows.add(cells);
            }
        }
        return rows;
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
