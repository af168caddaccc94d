package dev.modhttp.engine.nginxdiff;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The generated inputs, written once in a neutral form and turned into nginx.conf text by
 * {@link NginxConfWriter} and into the engine's config tree by {@link EngineTreeWriter}.
 * Immutable: the shrinker builds smaller copies.
 */
final class Model {

    private Model() {
    }

    /** One directive as nginx names it ({@code root}, {@code return}, ...) with its arguments. */
    record Directive(String name, List<String> args) {
        static Directive of(String name, String... args) {
            return new Directive(name, List.of(args));
        }

        @Override
        public String toString() {
            return name + " " + String.join(" ", args);
        }
    }

    /**
     * A location: modifier is "" (prefix), "=", "^~", "~", "~*" or "@" (then pattern is the name
     * without the @). id is what the location answers in X-Loc.
     */
    record Loc(String modifier, String pattern, String id, List<Directive> directives, List<Loc> children) {
        boolean isRegex() {
            return modifier.equals("~") || modifier.equals("~*");
        }

        String spec() {
            return modifier.equals("@") ? "@" + pattern : modifier.isEmpty() ? pattern : modifier + " " + pattern;
        }

        Loc with(List<Directive> ds, List<Loc> cs) {
            return new Loc(modifier, pattern, id, ds, cs);
        }
    }

    /** A server block; names as nginx writes them ("" for the empty name). */
    record Server(String id, List<String> names, boolean defaultServer, List<Directive> directives, List<Loc> locations) {
        Server with(List<String> ns, List<Directive> ds, List<Loc> ls) {
            return new Server(id, ns, defaultServer, ds, ls);
        }
    }

    /**
     * One generated configuration: servers sharing one port and a document tree (relative path to
     * content; a path ending in "/" is an empty directory). {@code root} paths in directives start
     * with {@code DOCS/}, replaced by the configuration's directory when written.
     */
    record Config(long seed, int index, List<Server> servers, Map<String, String> files) {
        String name() {
            return "seed=" + seed + " config=" + index;
        }

        int locationCount() {
            int n = 0;
            for (Server s : servers) {
                n += count(s.locations());
            }
            return n;
        }

        private static int count(List<Loc> ls) {
            int n = ls.size();
            for (Loc l : ls) {
                n += count(l.children());
            }
            return n;
        }
    }

    /** One request; host null means no Host header. target is sent as its UTF-8 bytes. */
    record Request(String method, String target, String version, String host, List<String> headers, String body) {
        byte[] bytes() {
            StringBuilder sb = new StringBuilder();
            sb.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
            if (host != null) {
                sb.append("Host: ").append(host).append("\r\n");
            }
            boolean chunked = body != null && headers.contains("Transfer-Encoding: chunked");
            for (String h : headers) {
                if (body != null || !h.equals("Transfer-Encoding: chunked")) { // a shrunk request may lose its body
                    sb.append(h).append("\r\n");
                }
            }
            if (body != null && !chunked) {
                sb.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
            }
            sb.append("\r\n");
            if (body != null && chunked) { // two chunks and the last
                int half = body.length() / 2;
                sb.append(Integer.toHexString(half)).append("\r\n").append(body, 0, half).append("\r\n")
                        .append(Integer.toHexString(body.length() - half)).append("\r\n").append(body.substring(half))
                        .append("\r\n0\r\n\r\n");
            } else if (body != null) {
                sb.append(body);
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        boolean isHead() {
            return method.equals("HEAD");
        }

        /** A printable form: control bytes and non-ASCII escaped. */
        String show() {
            return Model.escape(new String(bytes(), StandardCharsets.ISO_8859_1));
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static <T> List<T> without(List<T> list, int i) {
        List<T> copy = new ArrayList<>(list);
        copy.remove(i);
        return List.copyOf(copy);
    }

    static <T> List<T> replaced(List<T> list, int i, T value) {
        List<T> copy = new ArrayList<>(list);
        copy.set(i, value);
        return List.copyOf(copy);
    }
}
