package dev.modhttp.engine.nginxdiff;

import dev.modhttp.engine.nginxdiff.Model.Config;
import dev.modhttp.engine.nginxdiff.Model.Directive;
import dev.modhttp.engine.nginxdiff.Model.Loc;
import dev.modhttp.engine.nginxdiff.Model.Server;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a configuration as the engine's config tree (what application.yml holds under
 * {@code engine:}), keys as the README's reference names them. {@code add-header-inherit: replace}
 * at main scope gives nginx's add_header inheritance (a scope with its own add-header drops the
 * enclosing ones).
 */
final class EngineTreeWriter {

    private EngineTreeWriter() {
    }

    /** The main scope holding the servers of every configuration given, each on its port. */
    static Map<String, Object> tree(List<Map<String, Object>> servers) {
        Map<String, Object> main = new LinkedHashMap<>();
        main.put("add-header-inherit", "replace");
        main.put("servers", servers);
        return main;
    }

    static List<Map<String, Object>> servers(Config c, Path docs, int port) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Server s : c.servers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("listen", List.of("127.0.0.1:" + port + (s.defaultServer() ? " default-server" : "")));
            m.put("server-names", List.copyOf(s.names()));
            directives(m, s.id(), s.directives(), docs);
            if (!s.locations().isEmpty()) {
                m.put("locations", locations(s.locations(), docs));
            }
            out.add(m);
        }
        return out;
    }

    private static List<Map<String, Object>> locations(List<Loc> ls, Path docs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Loc l : ls) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("location", l.spec());
            directives(m, l.id(), l.directives(), docs);
            if (!l.children().isEmpty()) {
                m.put("locations", locations(l.children(), docs));
            }
            out.add(m);
        }
        return out;
    }

    private static void directives(Map<String, Object> m, String id, List<Directive> ds, Path docs) {
        List<String> headers = new ArrayList<>();
        headers.add("X-Loc " + id + " always");
        List<String> rewrites = new ArrayList<>();
        List<String> errorPages = new ArrayList<>();
        for (Directive d : ds) {
            List<String> args = d.args().stream().map(a -> NginxConfWriter.resolve(a, docs)).toList();
            switch (d.name()) {
                case "root", "alias" -> m.put(d.name(), args.get(0));
                case "index" -> m.put("index", args);
                case "try_files" -> m.put("try-files", args); // the README's list form
                case "return" -> m.put("return", String.join(" ", args));
                case "rewrite" -> rewrites.add(String.join(" ", args));
                case "error_page" -> errorPages.add(String.join(" ", args));
                case "add_header" -> headers.add(String.join(" ", args));
                case "gzip", "gzip_vary", "gzip_static" -> m.put(d.name().replace('_', '-'), args.get(0).equals("on"));
                case "gzip_types", "gzip_proxied", "gzip_disable" -> m.put(d.name().replace('_', '-'), args);
                case "gzip_min_length" -> m.put("gzip-min-length", Integer.parseInt(args.get(0)));
                case "gzip_http_version", "expires" -> m.put(d.name().replace('_', '-'), args.get(0));
                default -> throw new IllegalArgumentException("no engine key for " + d);
            }
        }
        m.put("add-header", headers);
        if (!rewrites.isEmpty()) {
            m.put("rewrite", rewrites);
        }
        if (!errorPages.isEmpty()) {
            m.put("error-page", errorPages);
        }
    }
}
