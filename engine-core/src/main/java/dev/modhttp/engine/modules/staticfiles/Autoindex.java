package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.http.DateCache;
import dev.modhttp.engine.http.PercentEncoding;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A directory listing as nginx's autoindex renders it: hidden entries skipped, directories
 * first, then by name; names HTML-escaped in the text and percent-escaped in links (or
 * JSON-escaped in the JSON form).
 */
final class Autoindex {

    private static final DateTimeFormatter HTML_DATE =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm", Locale.US).withZone(ZoneOffset.UTC);

    private record Entry(String name, boolean dir, BasicFileAttributes attrs) {
    }

    private Autoindex() {
    }

    static String render(Path dir, String uri, StaticConfig.Format format) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                entries.add(new Entry(name, a.isDirectory(), a));
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> !e.dir()).thenComparing(Entry::name));
        return format == StaticConfig.Format.JSON ? json(entries) : html(entries, uri);
    }

    private static String html(List<Entry> entries, String uri) {
        String title = escapeHtml(uri);
        StringBuilder sb = new StringBuilder("<html>\r\n<head><title>Index of ").append(title)
                .append("</title></head>\r\n<body>\r\n<h1>Index of ").append(title)
                .append("</h1><hr><pre><a href=\"../\">../</a>\r\n");
        for (Entry e : entries) {
            String name = e.dir() ? e.name() + "/" : e.name();
            String shown = name.length() > 50 ? name.substring(0, 47) + "..>" : name;
            sb.append("<a href=\"").append(escapeHtml(escapeComponent(nameBytes(e.name())))).append(e.dir() ? "/" : "")
                    .append("\">")
                    .append(escapeHtml(shown)).append("</a>");
            sb.append(" ".repeat(Math.max(1, 51 - shown.length())));
            sb.append(HTML_DATE.format(e.attrs().lastModifiedTime().toInstant()));
            String size = e.dir() ? "-" : Long.toString(e.attrs().size());
            sb.append(" ".repeat(Math.max(1, 20 - size.length()))).append(size).append("\r\n");
        }
        return sb.append("</pre><hr></body>\r\n</html>\r\n").toString();
    }

    private static String json(List<Entry> entries) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("{ \"name\":\"").append(escapeJson(e.name()))
                    .append("\", \"type\":\"").append(e.dir() ? "directory" : "file").append("\", \"mtime\":\"")
                    .append(DateCache.format(e.attrs().lastModifiedTime().toInstant())).append('"');
            if (!e.dir()) {
                sb.append(", \"size\":").append(e.attrs().size());
            }
            sb.append(" }");
        }
        return sb.append("\n]\n").toString();
    }

    /**
     * A name in a link as nginx writes it: every byte but letters, digits and {@code - . _ ~}
     * percent-encoded, so that no name ({@code javascript:alert(1)}) becomes a scheme or a query.
     */
    static String escapeComponent(String bytes) {
        return percentEncode(bytes, "-._~");
    }

    /** The UTF-8 bytes of a name as a byte string, the form the link escaping reads. */
    private static String nameBytes(String name) {
        return Location.toByteString(name);
    }

    static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String escapeJson(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Bytes (one char per byte) with every one but letters, digits and {@code keep} as %XX. */
    static String percentEncode(String bytes, String keep) {
        return PercentEncoding.encode(bytes, c -> !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || keep.indexOf(c) >= 0));
    }
}
