package dev.modhttp.engine.nginxdiff;

import dev.modhttp.engine.nginxdiff.Model.Config;
import dev.modhttp.engine.nginxdiff.Model.Directive;
import dev.modhttp.engine.nginxdiff.Model.Loc;
import dev.modhttp.engine.nginxdiff.Model.Request;
import dev.modhttp.engine.nginxdiff.Model.Server;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Random but realistic configurations and requests, the way nginx users write them. Everything
 * comes from one {@link Random} seeded with (seed, configuration index), so that any
 * configuration and its requests are reproduced from those two numbers alone.
 */
final class Generator {

    /** A location regex as users write it, with paths it is meant to match and the captures it defines. */
    record Rx(String pattern, List<String> samples, List<String> captures) {
    }

    static final List<Rx> REGEXES = List.of(
            rx("\\.(gif|jpg|png)$", "/img/a.gif,/pic.gif,/x/y.PNG,/img/b.jpg", "$1"),
            rx("\\.php$", "/x.php,/a/b.php", ""),
            rx("\\.html?$", "/a.htm,/b.html,/index.html", ""),
            rx("^/api/(?<ver>v\\d+)/(\\w+)", "/api/v1/users,/api/v22/x_y,/api/v1/index.html", "$1,$2,$ver"),
            rx("^/(?P<name>[a-z]+)/item/(\\d+)$", "/shop/item/42", "$1,$2,$name"),
            rx("(?i)^/docs/", "/DOCS/readme.txt,/docs/readme.txt", ""),
            rx("^/a.c$", "/abc,/a.c,/a/c", ""),
            rx("^/user/(\\d+)/?$", "/user/12,/user/12/", "$1"),
            rx("/(foo|bar)\\s*baz", "/foo baz,/barbaz", "$1"),
            rx("^/caf.$", "/café,/cafe", ""),
            rx("^/static/.*\\.(css|js)$", "/static/app.js,/static/a/b.css", "$1"),
            rx("\\d{4}/\\d{2}", "/2024/01/x", ""),
            rx("^/reports/", "/reports/q1.txt,/reports/x/beta", ""),
            rx("/reports/", "/reports/q1.txt,/reports/x/beta,/reports/de,/a/reports/x", ""),
            rx("/img/", "/img/a.gif,/img/x/a.gif,/img/index.html", ""),
            rx("/$", "/,/img/,/sub/", ""),
            rx("^/(?<a>\\w+)-(?<b>\\w+)$", "/foo-bar", "$a,$b,$1"),
            rx("\\.(?i:JPG)$", "/img/b.jpg,/B.JPG", ""),
            rx("[^/]+\\.txt$", "/a.txt,/docs/readme.txt,/my dir/file one.txt", ""),
            rx("^/x$|^/y$", "/x,/y", ""),
            rx("^/end\\Z", "/end", ""),
            rx("^/img/(.+)$", "/img/a.gif,/img/b.jpg", "$1"),
            rx("^/(?<n>\\w+)\\.html$", "/b.html,/index.html", "$n"),
            rx("^/\\w+\\s\\w+$", "/a b", ""),
            rx("é", "/café/été.html", ""),
            rx("^/a{2,}$", "/aa,/aaa", ""),
            rx("^/[[:alpha:]]+$", "/abc,/old", ""),
            rx("\\.(?:jpe?g|png)$", "/img/b.jpg,/logo.png", ""),
            rx("^/(.*)/$", "/sub/,/a/b/", "$1"),
            rx("^/sub/(?<file>[^/]+)$", "/sub/page.html,/sub/index.html", "$file"),
            rx("^/old/(.*)", "/old/x.html", "$1"),
            rx("\\.(?i)gif$", "/img/a.GIF", ""),
            rx("^/(?|img/(\\d+)|pic-(\\d+))\\.png$", "/img/12.png,/pic-3.png", "$1"),
            rx("^/(unclosed", "/unclosed", ""));

    static final List<String> PREFIXES = List.of("/", "/img/", "/img", "/api/", "/api/v1/", "/docs/", "/my dir/",
            "/café/", "/old/", "/new/", "/sub/", "/a", "/a.txt", "/index.html", "/reports/", "/shop/",
            "/static/", "/empty/", "/100%.txt", "/x", "/UPPER", "/b.html", "/user/");

    static final List<String> FILES = List.of("docs/index.html", "docs/a.txt", "docs/b.html", "docs/style.css",
            "docs/app.js", "docs/data.json", "docs/logo.png", "docs/pic.gif", "docs/noext", "docs/img/a.gif",
            "docs/img/b.jpg", "docs/img/index.html", "docs/api/v1/users", "docs/api/v1/index.html",
            "docs/my dir/file one.txt", "docs/100%.txt", "docs/café/été.html", "docs/docs/readme.txt",
            "docs/empty/", "docs/sub/index.html", "docs/sub/page.html", "docs/old/x.html", "docs/new/x.html",
            "docs/404.html", "docs/err.html", "docs/fallback", "docs/a.htm", "docs/reports/q1.txt",
            "docs/shop/item/42", "docs/x.php", "docs/re.html", "docs/UPPER.HTML", "docs/static/app.js",
            "alt/index.html", "alt/a.txt", "alt/img/a.gif", "alt/sub/page.html", "docs/user/12",
            // precompressed files for gzip_static, after their files (a .gz older than its file is never sent)
            "docs/a.txt.gz", "docs/index.html.gz", "docs/data.json.gz", "docs/sub/page.html.gz", "docs/style.css.gz");

    static final List<String> SERVER_NAMES = List.of("example.com", "www.example.com", "localhost", "a.test",
            "b.test", "*.example.com", "*.test", "www.example.*", "mail.*", ".example.org",
            "~^(?<sub>\\w+)\\.example\\.net$", "~^API\\d+\\.test$", "~^www\\d*\\.example\\.com$", "", "_");

    static final List<String> HOSTS = List.of("example.com", "www.example.com", "localhost", "a.test", "b.test",
            "a.example.com", "x.y.example.com", "www.example.org", "www.example.co.uk", "mail.example.net",
            "example.org", "sub.example.org", "foo.example.net", "api12.test", "API12.TEST", "www12.example.com",
            "unknown.test", "127.0.0.1", "c.test");

    private final long seed;

    Generator(long seed) {
        this.seed = seed;
    }

    static Random random(long seed, int index, long salt) {
        return new Random(seed * 1_000_003L + index * 7919L + salt);
    }

    // ---------------------------------------------------------------- configurations

    Config config(int index) {
        Random r = random(seed, index, 0);
        Map<String, String> files = new LinkedHashMap<>();
        for (String f : FILES) {
            if (r.nextInt(10) < 7) {
                files.put(f, f.endsWith("/") ? "" : "file " + f + " of config " + index + "\n");
            }
        }
        int serverCount = 1 + (r.nextInt(10) < 6 ? 0 : r.nextInt(10) < 7 ? 1 : 2);
        int defaultAt = r.nextInt(5) == 0 ? r.nextInt(serverCount) : -1;
        List<Server> servers = new ArrayList<>();
        for (int s = 0; s < serverCount; s++) {
            List<String> names = new ArrayList<>();
            int n = 1 + r.nextInt(2);
            for (int i = 0; i < n; i++) {
                String name = pick(r, SERVER_NAMES);
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
            String sid = "s" + s;
            List<String> named = new ArrayList<>();
            List<Loc> locs = new ArrayList<>();
            int count = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(6);
            for (int i = 0; i < count; i++) {
                locs.add(location(r, sid + "l" + i, null, 0, named));
            }
            servers.add(new Server(sid, List.copyOf(names), s == defaultAt, serverDirectives(r, named), List.copyOf(locs)));
        }
        return new Config(seed, index, List.copyOf(servers), files);
    }

    private Loc location(Random r, String id, Loc parent, int depth, List<String> named) {
        String modifier;
        String pattern;
        int k = r.nextInt(100);
        Rx rx = null;
        if (k < 35) {
            modifier = "";
        } else if (k < 45) {
            modifier = "=";
        } else if (k < 57) {
            modifier = "^~";
        } else if (k < 79) {
            modifier = "~";
        } else if (k < 92) {
            modifier = "~*";
        } else {
            modifier = parent == null || r.nextInt(10) == 0 ? "@" : ""; // nginx refuses a nested named location
        }
        if (parent != null && parent.isRegex() && !parent.pattern().startsWith("/") && !modifier.startsWith("~")
                && !modifier.equals("@") && r.nextInt(5) > 0) {
            modifier = "~"; // a prefix inside a regex must start with the regex's text, which this one cannot give
        }
        switch (modifier) {
            case "~", "~*" -> {
                rx = pickRegex(r);
                pattern = rx.pattern();
            }
            case "@" -> {
                pattern = pick(r, List.of("fallback", "missing", "named", "x"));
                named.add(pattern);
            }
            default -> pattern = prefix(r, parent);
        }
        List<Directive> ds = locationDirectives(r, modifier, rx, named);
        List<Loc> children = new ArrayList<>();
        // nginx refuses locations nested in exact and named ones: rarely generated, to see both refuse
        boolean canNest = !modifier.equals("=") && !modifier.equals("@") || r.nextInt(20) == 0;
        if (canNest && depth < 3 && r.nextInt(100) < (depth == 0 ? 25 : 12)) {
            Loc self = new Loc(modifier, pattern, id, ds, List.of());
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                children.add(location(r, id + "." + i, self, depth + 1, named));
            }
        }
        return new Loc(modifier, pattern, id, ds, List.copyOf(children));
    }

    private static Rx pickRegex(Random r) {
        // the last two (PCRE's branch reset, an unclosed group) are rare on purpose
        return r.nextInt(150) == 0 ? REGEXES.get(REGEXES.size() - 2 + r.nextInt(2)) : REGEXES.get(r.nextInt(REGEXES.size() - 2));
    }

    /** A prefix pattern; nested in a location it usually extends the parent's pattern (nginx refuses one outside it). */
    private static String prefix(Random r, Loc parent) {
        if (parent == null || r.nextInt(20) == 0) {
            return pick(r, PREFIXES);
        }
        String base = parent.pattern(); // a regex parent's text, as users nest under ~ /reports/
        String seg = pick(r, List.of("x", "img/", "v1/", "a", "deep/", "index.html", "sub", "b.html", "12"));
        return base.endsWith("/") ? base + seg : base + (r.nextBoolean() ? "/" : "") + seg;
    }

    private static List<Directive> serverDirectives(Random r, List<String> named) {
        List<Directive> ds = new ArrayList<>();
        if (r.nextInt(10) < 8) {
            ds.add(Directive.of("root", r.nextInt(6) == 0 ? "DOCS/alt" : "DOCS/docs"));
        }
        if (r.nextInt(10) == 0) {
            ds.add(index(r));
        }
        if (r.nextInt(5) == 0) {
            ds.add(Directive.of("add_header", "X-Srv", "on"));
        }
        if (r.nextInt(10) == 0) {
            ds.add(rewrite(r, List.of()));
        }
        if (r.nextInt(25) == 0) {
            ds.add(Directive.of("return", pick(r, List.of("200", "301", "404")), pick(r, List.of("srv-$uri", "/moved$uri", "gone"))));
        }
        if (r.nextInt(10) == 0) {
            ds.add(errorPage(r, named));
        }
        if (r.nextInt(100) < 35) {
            ds.addAll(gzip(r));
        }
        return ds;
    }

    /** A server's compression, as users write it: gzip on with some of its directives. */
    private static List<Directive> gzip(Random r) {
        List<Directive> ds = new ArrayList<>();
        ds.add(Directive.of("gzip", r.nextInt(7) == 0 ? "off" : "on"));
        if (r.nextInt(100) < 50) {
            ds.add(new Directive("gzip_types", pick(r, List.of(List.of("text/plain"), List.of("text/plain", "application/json"),
                    List.of("*"), List.of("text/css", "text/plain")))));
        }
        if (r.nextInt(100) < 40) {
            ds.add(Directive.of("gzip_min_length", pick(r, List.of("1", "20", "30", "40", "1000"))));
        }
        if (r.nextInt(100) < 40) {
            ds.add(Directive.of("gzip_vary", "on"));
        }
        if (r.nextInt(100) < 30) {
            ds.add(new Directive("gzip_proxied", pick(r, List.of(List.of("any"), List.of("expired", "no-cache", "no-store",
                    "private", "auth"), List.of("no_etag"), List.of("no_last_modified"), List.of("auth"), List.of("off")))));
        }
        if (r.nextInt(100) < 15) {
            ds.add(Directive.of("gzip_http_version", "1.0"));
        }
        if (r.nextInt(100) < 15) {
            ds.add(new Directive("gzip_disable", pick(r, List.of(List.of("msie6"), List.of("Wget"), List.of("msie6", "curl/8")))));
        }
        if (r.nextInt(100) < 30) {
            ds.add(Directive.of("gzip_static", "on"));
        }
        return ds;
    }

    private static List<Directive> locationDirectives(Random r, String modifier, Rx rx, List<String> named) {
        List<Directive> ds = new ArrayList<>();
        List<String> captures = rx == null || rx.captures().isEmpty() ? List.of() : rx.captures();
        boolean prefixish = modifier.isEmpty() || modifier.equals("^~") || modifier.equals("=");
        if (r.nextInt(100) < 9 && (prefixish || !captures.isEmpty())) {
            // alias: a prefix maps onto a directory; a regex uses its capture, as nginx requires
            ds.add(Directive.of("alias", prefixish
                    ? pick(r, List.of("DOCS/docs/img/", "DOCS/docs/sub/", "DOCS/alt/", "DOCS/docs/a.txt"))
                    : "DOCS/docs/img/" + captures.get(0)));
        } else if (r.nextInt(100) < 20) {
            ds.add(Directive.of("root", pick(r, List.of("DOCS/docs", "DOCS/alt", "DOCS/docs/sub", "DOCS/nowhere"))));
        }
        if (r.nextInt(100) < 10) {
            ds.add(index(r));
        }
        if (r.nextInt(100) < 12) {
            List<String> tf = new ArrayList<>(pick(r, List.of(List.of("$uri", "$uri/", "/index.html"),
                    List.of("$uri", "=404"), List.of("$uri.html", "$uri", "/fallback"), List.of("$uri/", "/b.html"),
                    List.of("/nonexistent", "$uri", "=410"))));
            if (!named.isEmpty() && r.nextInt(3) == 0) {
                tf.set(tf.size() - 1, "@" + pick(r, named));
            }
            ds.add(new Directive("try_files", List.copyOf(tf)));
        }
        if (r.nextInt(100) < 15) {
            ds.add(rewrite(r, captures));
            if (r.nextInt(4) == 0) {
                ds.add(rewrite(r, captures));
            }
        }
        if (r.nextInt(100) < 25) {
            String code = pick(r, List.of("200", "200", "200", "204", "301", "302", "302", "404", "403", "410", "418", "444", "500"));
            String text = pick(r, List.of("ok", "$uri", "$args", "/moved$uri", "http://other.example/x", "$request_uri",
                    "$host", "$server_name", "$is_args$args"));
            if (!captures.isEmpty() && r.nextBoolean()) {
                text = (code.startsWith("3") ? "/cap/" : "m-") + pick(r, captures);
            }
            if (code.equals("204") || code.equals("444") || (!code.startsWith("3") && r.nextInt(4) == 0)) {
                ds.add(Directive.of("return", code));
            } else {
                ds.add(Directive.of("return", code, text));
            }
        }
        if (r.nextInt(100) < 12) {
            ds.add(errorPage(r, named));
        }
        if (r.nextInt(100) < 12) {
            ds.add(pick(r, List.of(Directive.of("add_header", "X-Extra", "yes"), Directive.of("add_header", "X-Uri", "$uri"),
                    Directive.of("add_header", "X-Always", "a", "always"))));
        }
        if (r.nextInt(100) < 8) {
            ds.add(Directive.of("gzip", pick(r, List.of("on", "off"))));
        }
        if (r.nextInt(100) < 6) {
            ds.add(Directive.of("expires", pick(r, List.of("1h", "-1h", "epoch", "max"))));
        }
        if (r.nextInt(100) < 5) {
            ds.add(Directive.of("add_header", "Cache-Control", pick(r, List.of("private", "no-store", "max-age=60"))));
        }
        return List.copyOf(ds);
    }

    private static Directive index(Random r) {
        return new Directive("index", pick(r, List.of(List.of("index.html"), List.of("index.htm", "a.txt"),
                List.of("/re.html"), List.of("missing.html", "index.html"), List.of("page.html"))));
    }

    private static Directive rewrite(Random r, List<String> captures) {
        List<String> c = pick(r, List.of(
                List.of("^/old/(.*)$", "/new/$1"),
                List.of("^(.*)\\.htm$", "$1.html"),
                List.of("^/r/(\\w+)", "/x?y=$1"),
                List.of("^", "http://example.com/"),
                List.of("^/loop", "/loop"),
                List.of("^/add", "/b.html?c=d"),
                List.of("^/drop", "/b.html?c=d?"),
                List.of("(?i)^/UP(.*)", "/up$1"),
                List.of("^/img/(?<f>.+)$", "/alt/$f"),
                List.of("^/(.*)$", "/sub/$1"),
                List.of("\\.txt$", "/a.txt")));
        String flag = pick(r, List.of("last", "break", "redirect", "permanent", ""));
        List<String> args = new ArrayList<>(c);
        if (!flag.isEmpty()) {
            args.add(flag);
        }
        return new Directive("rewrite", List.copyOf(args));
    }

    private static Directive errorPage(Random r, List<String> named) {
        String target = pick(r, List.of("/404.html", "/err.html", "/fallback", "/nonexistent.html", "/b.html"));
        if (!named.isEmpty() && r.nextInt(3) == 0) {
            target = "@" + pick(r, named);
        }
        List<String> args = new ArrayList<>(pick(r, List.of(List.of("404"), List.of("403", "404"), List.of("500"),
                List.of("405"), List.of("404", "=200"), List.of("404", "="), List.of("410", "=301"))));
        args.add(target);
        return new Directive("error_page", List.copyOf(args));
    }

    // ---------------------------------------------------------------- requests

    Request request(Config c, int index) {
        Random r = random(seed, c.index(), 1 + index);
        List<String> paths = new ArrayList<>();
        for (Model.Server s : c.servers()) {
            collect(s.locations(), paths);
        }
        for (String f : c.files().keySet()) {
            if (f.endsWith(".gz")) {
                continue; // asked for as their files' precompressed variants only
            }
            String p = f.substring(f.indexOf('/'));
            paths.add(p);
            if (p.endsWith("/index.html")) {
                paths.add(p.substring(0, p.length() - "index.html".length()));
                paths.add(p.substring(0, p.length() - "/index.html".length()));
            }
        }
        paths.add("/");
        paths.removeIf(String::isEmpty);
        String path = pick(r, paths);
        if (r.nextInt(5) == 0) {
            path = path + pick(r, List.of("x", "/", "index.html", ".gif", "/a.txt", "/12", ".html", ".txt"));
        }
        String target = mutate(r, encode(path));
        if (r.nextInt(6) == 0) {
            target += pick(r, List.of("?", "?a=b", "?a=%2F&b", "?x=1&x=2", "?q=%25", "?%00", "?a=b?c"));
        }
        String method = "GET";
        String body = null;
        int m = r.nextInt(100);
        if (m < 10) {
            method = "HEAD";
        } else if (m < 17) {
            method = "POST";
            body = "a=b&c=d";
        } else if (m < 20) {
            method = "TRACE";
        } else if (m < 22) {
            method = "OPTIONS";
        } else if (m < 24) {
            method = pick(r, List.of("PUT", "DELETE", "PATCH"));
            body = method.equals("DELETE") ? null : "x";
        } else if (m < 25) {
            method = pick(r, List.of("get", "PROPFIND", "G=T"));
        } else if (m < 29) {
            body = "with a body"; // a GET with a body: the static handler discards it, as nginx's does
        }
        String version = "HTTP/1.1";
        int v = r.nextInt(100);
        if (v < 8) {
            version = "HTTP/1.0";
        } else if (v < 9) {
            version = pick(r, List.of("HTTP/01.1", "HTTP/2.0", "HTTP/1.2", "http/1.1"));
        }
        String host = host(r, c);
        if (version.equals("HTTP/1.0") && r.nextBoolean()) {
            host = null;
        } else if (r.nextInt(60) == 0) {
            host = null;
        }
        if (r.nextInt(20) == 0 && target.startsWith("/")) {
            String authority = r.nextInt(3) == 0 ? pick(r, List.of("example.com.:1.2", "123.40.56.78:9000:80",
                    "[abcd::ef98:0:7654:321].", "extra[abcd::ef98:0:7654:321]", "[::1]", "EXAMPLE.COM", "a.test:80"))
                    : host(r, c);
            target = pick(r, List.of("http://", "http://", "HTTP://", "https://")) + authority + target;
        }
        List<String> headers = new ArrayList<>();
        if (r.nextInt(40) == 0) {
            headers.add("Host: second.test");
        }
        if (body != null && r.nextInt(5) == 0) {
            headers.add("Expect: 100-continue");
        }
        if (body != null && r.nextInt(4) == 0) {
            headers.add("Transfer-Encoding: chunked"); // then the body goes out in chunks (Model.Request)
        }
        if (r.nextInt(100) < 50) {
            headers.add("Accept-Encoding: " + pick(r, List.of("gzip", "gzip, deflate, br", "deflate", "gzip;q=0", "x-gzip",
                    "*", "GZIP", "gzip;q=0.5", "identity", "br, gzip;q=1.5")));
        }
        if (r.nextInt(100) < 10) {
            headers.add("Via: 1.1 proxy");
        }
        if (r.nextInt(100) < 12) {
            headers.add("User-Agent: " + pick(r, List.of("Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)",
                    "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)", "curl/8.1", "Wget/1.21", "Mozilla/5.0")));
        }
        if (r.nextInt(100) < 4) {
            headers.add("Authorization: Basic eDp5");
        }
        if (r.nextInt(100) < 6) {
            headers.add("Range: bytes=0-5");
        }
        return new Request(method, target, version, host, List.copyOf(headers), body);
    }

    private static void collect(List<Loc> ls, List<String> out) {
        for (Loc l : ls) {
            if (l.isRegex()) {
                for (Rx rx : REGEXES) {
                    if (rx.pattern().equals(l.pattern())) {
                        out.addAll(rx.samples());
                    }
                }
            } else if (!l.modifier().equals("@")) {
                out.add(l.pattern());
            }
            collect(l.children(), out);
        }
    }

    private static String host(Random r, Config c) {
        String h;
        int k = r.nextInt(100);
        if (k < 60) {
            h = pick(r, HOSTS);
        } else if (k < 80) {
            // a concrete host for one of the configured names
            String n = pick(r, pick(r, c.servers()).names());
            h = n.replace("*.", "w.").replace(".*", ".org").replaceAll("^\\.", "x.");
            if (n.startsWith("~")) {
                h = pick(r, List.of("foo.example.net", "api7.test", "API7.TEST", "www3.example.com"));
            }
            if (h.isEmpty() || h.equals("_")) {
                h = "other.test";
            }
        } else {
            h = pick(r, List.of("EXAMPLE.COM", "example.com.", "example.com:8080", "localhost:abc", "user@localhost",
                    "[::1]", "[::1]:80", "[abcd::ef98:0:7654:321]..:98", "", "a..test", "-bad.test", ".a.test",
                    "host_under.test", "é.test", "a.test:", "127.0.0.1:80", "A.Example.Com.", "a test"));
        }
        return h;
    }

    /** Percent-encodes what a client would (space, %, non-ASCII, controls), keeping / and the rest. */
    static String encode(String path) {
        StringBuilder sb = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '%' || c == '?' || c == '#') {
                sb.append(String.format("%%%02X", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static String mutate(Random r, String t) {
        int rounds = r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0;
        for (int i = 0; i < rounds && !t.isEmpty(); i++) {
            int at = 1 + r.nextInt(Math.max(1, t.length()));
            at = Math.min(at, t.length());
            int k = r.nextInt(12);
            switch (k) {
                case 0 -> t = t.substring(0, at) + pick(r, List.of("%2F", "%2f", "%25", "%20", "%FF", "%7F", "%C3%A9")) + t.substring(at);
                case 1 -> t = t + pick(r, List.of("%00", "%0A", "%0D", "%0D%0A", "%09", "%1F", "%01"));
                case 2 -> t = t.substring(0, at) + pick(r, List.of("/./", "/../", "//", "/.", "/..")) + t.substring(at);
                case 3 -> t = t.toUpperCase(Locale.ROOT);
                case 4 -> t = "/" + pick(r, List.of("..", "../..", ".", "%2e%2e", "%2E")) + t;
                case 5 -> {
                    // percent-encode one plain character
                    int p = Math.min(at, t.length() - 1);
                    char c = t.charAt(p);
                    if (c != '%' && c != '/') {
                        t = t.substring(0, p) + String.format("%%%02X", (int) c) + t.substring(p + 1);
                    }
                }
                case 6 -> t = URLEncoder.encode(t, StandardCharsets.UTF_8).replace("%2F", "/");
                case 7 -> t = t + pick(r, List.of("%", "%2", "%G1", "#frag", "é"));
                case 8 -> t = t + "/";
                case 9 -> t = t.substring(0, at) + pick(r, List.of("*", ";p=1", "~", "+", "%3B")) + t.substring(at);
                default -> t = t.substring(0, at) + pick(r, List.of("%0D", "%0A", "%0D%0A")) + t.substring(at);
            }
        }
        return t.isEmpty() ? "/" : t;
    }

    static <T> T pick(Random r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    private static Rx rx(String pattern, String samples, String captures) {
        return new Rx(pattern, List.of(samples.split(",")), captures.isEmpty() ? List.of() : List.of(captures.split(",")));
    }
}
