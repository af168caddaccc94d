package dev.modhttp.engine.nginxdiff;

import dev.modhttp.engine.nginxdiff.Model.Config;
import dev.modhttp.engine.nginxdiff.Model.Directive;
import dev.modhttp.engine.nginxdiff.Model.Loc;
import dev.modhttp.engine.nginxdiff.Model.Server;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a configuration as nginx server blocks (one include file per configuration, so that
 * {@code nginx -t} names the configuration it refuses) and the nginx.conf that includes them.
 * Every location and server answers {@code add_header X-Loc <id> always;}.
 */
final class NginxConfWriter {

    private NginxConfWriter() {
    }

    static String mainConf(Path dir, List<Path> includes, boolean runningAsRoot) {
        StringBuilder sb = new StringBuilder();
        if (runningAsRoot) {
            sb.append("user root;\n"); // the document trees live in a root-only temporary directory
        }
        sb.append("worker_processes 2;\n");
        sb.append("pid ").append(dir.resolve("nginx.pid")).append(";\n");
        sb.append("error_log ").append(dir.resolve("error.log")).append(" error;\n");
        sb.append("events { worker_connections 4096; }\n");
        sb.append("http {\n");
        sb.append("  include /etc/nginx/mime.types;\n");
        sb.append("  default_type application/octet-stream;\n"); // the engine's default-type, as the stock nginx.conf
        sb.append("  access_log off;\n");
        sb.append("  server_names_hash_bucket_size 128;\n");
        sb.append("  client_body_temp_path ").append(dir.resolve("body")).append(";\n");
        sb.append("  proxy_temp_path ").append(dir.resolve("proxy")).append(";\n");
        for (Path p : includes) {
            sb.append("  include ").append(p).append(";\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    /** The server blocks of one configuration, listening on 127.0.0.1:port. */
    static String servers(Config c, Path docs, int port) {
        StringBuilder sb = new StringBuilder();
        for (Server s : c.servers()) {
            sb.append("server {\n");
            sb.append("  listen 127.0.0.1:").append(port).append(s.defaultServer() ? " default_server" : "").append(";\n");
            sb.append("  server_name");
            for (String n : s.names()) {
                sb.append(' ').append(n.isEmpty() ? "\"\"" : quote(n));
            }
            sb.append(";\n");
            sb.append("  add_header X-Loc ").append(s.id()).append(" always;\n");
            directives(sb, s.directives(), docs, "  ");
            for (Loc l : s.locations()) {
                location(sb, l, docs, "  ");
            }
            sb.append("}\n");
        }
        return sb.toString();
    }

    private static void location(StringBuilder sb, Loc l, Path docs, String indent) {
        sb.append(indent).append("location ");
        if (l.modifier().equals("@")) {
            sb.append('@').append(l.pattern());
        } else {
            if (!l.modifier().isEmpty()) {
                sb.append(l.modifier()).append(' ');
            }
            sb.append(l.isRegex() ? "\"" + escapeQuoted(l.pattern()) + "\"" : quote(l.pattern()));
        }
        sb.append(" {\n");
        sb.append(indent).append("  add_header X-Loc ").append(l.id()).append(" always;\n");
        directives(sb, l.directives(), docs, indent + "  ");
        for (Loc c : l.children()) {
            location(sb, c, docs, indent + "  ");
        }
        sb.append(indent).append("}\n");
    }

    private static void directives(StringBuilder sb, List<Directive> ds, Path docs, String indent) {
        // the engine runs rewrites before return, so nginx gets them in that order too
        for (String pass : List.of("rewrite", "other")) {
            for (Directive d : ds) {
                if (d.name().equals("rewrite") != pass.equals("rewrite")) {
                    continue;
                }
                sb.append(indent).append(d.name());
                for (int i = 0; i < d.args().size(); i++) {
                    String a = resolve(d.args().get(i), docs);
                    boolean regex = d.name().equals("rewrite") && i == 0;
                    boolean text = d.name().equals("return") && i == 1;
                    sb.append(' ').append(regex || text ? "\"" + escapeQuoted(a) + "\"" : quote(a));
                }
                sb.append(";\n");
            }
        }
    }

    static String resolve(String arg, Path docs) {
        return arg.startsWith("DOCS/") ? docs.resolve(arg.substring(5)) + (arg.endsWith("/") ? "/" : "") : arg;
    }

    private static String quote(String s) {
        for (char c : s.toCharArray()) {
            if (c <= ' ' || c == ';' || c == '{' || c == '}' || c == '"' || c == '\'' || c == '#' || c == '\\') {
                return "\"" + escapeQuoted(s) + "\"";
            }
        }
        return s;
    }

    private static String escapeQuoted(String s) {
        return s.replace("\"", "\\\"");
    }
}
