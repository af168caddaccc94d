package dev.modhttp.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.modules.rewrite.ReturnModule;
import dev.modhttp.engine.test.TestEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Location selection, table-driven. Each config below is also written as nginx.conf in
 * {@code bench/nginx-locations.sh}, which checks the same rows against a real nginx.
 */
class LocationSelectionTests {

    static ServerConfig server(String locationsYaml) {
        String yaml = "servers:\n  - listen: [\"127.0.0.1:0\"]\n    locations:\n" + locationsYaml.indent(6);
        return EngineConfig.load(TestEngine.yaml(yaml), List.of(CoreModule.CONFIG, ReturnModule.CONFIG), "0")
                .servers().get(0);
    }

    static String select(ServerConfig server, String uri) {
        Location l = server.select(Location.toByteString(uri));
        return l == null ? "none" : l.pattern();
    }

    /** The example of nginx's documentation for "location", with its five requests. */
    static final ServerConfig DOCS = server("""
            - location: "= /"
            - location: "/"
            - location: "/documents/"
            - location: "^~ /images/"
            - location: "~* \\\\.(gif|jpg|jpeg)$"
            """);

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            /                         => = /
            /index.html               => /
            /documents/document.html  => /documents/
            /images/1.gif             => ^~ /images/
            /documents/1.jpg          => ~* \\.(gif|jpg|jpeg)$
            /documents/1.JPG          => ~* \\.(gif|jpg|jpeg)$
            /images                   => /
            /Images/1.gif             => ~* \\.(gif|jpg|jpeg)$
            /documents                => /
            """)
    void nginxDocumentationExample(String uri, String expected) {
        assertThat(select(DOCS, uri)).isEqualTo(expected);
    }

    /** PCRE's {@code $} and {@code .}: only a final {@code \n} may follow {@code $}; {@code .} takes {@code \r}. */
    static final ServerConfig PCRE = server("""
            - location: "/"
            - location: "~ \\\\.gif$"
            - location: "~ ^/p.q$"
            """);

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            /a.gif       => ~ \\.gif$
            /a.gif%0D    => /
            /a.gif%0D%0A => /
            /a.gif%0A    => ~ \\.gif$
            /p%0Dq       => ~ ^/p.q$
            /p%0Aq       => /
            """)
    void regexesMatchTheDecodedBytesAsPcreDoes(String uri, String expected) {
        assertThat(select(PCRE, decode(uri))).isEqualTo(expected);
    }

    /** Regexes keep a matcher per thread for selection: threads selecting at once each get their own answers. */
    @Test
    void threadsSelectingAtOnceEachGetTheirOwnAnswer() throws Exception {
        List<String> uris = List.of("/a.gif", "/p\rq", "/p\nq", "/b.gif\n", "/x");
        List<String> expected = uris.stream().map(u -> select(PCRE, u)).toList();
        assertThat(expected).containsExactly("~ \\.gif$", "~ ^/p.q$", "/", "~ \\.gif$", "/");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> wrong = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                wrong.add(pool.submit(() -> {
                    int mismatches = 0;
                    for (int i = 0; i < 20_000; i++) {
                        int k = (i + offset) % uris.size();
                        if (!select(PCRE, uris.get(k)).equals(expected.get(k))) {
                            mismatches++;
                        }
                    }
                    return mismatches;
                }));
            }
            for (Future<Integer> w : wrong) {
                assertThat(w.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** %XX escapes to the bytes they stand for, one char per byte. */
    static String decode(String uri) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < uri.length(); i++) {
            if (uri.charAt(i) == '%') {
                out.append((char) Integer.parseInt(uri.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(uri.charAt(i));
            }
        }
        return out.toString();
    }

    static final ServerConfig NESTED = server("""
            - location: "/a/"
              locations:
                - location: "/a/b/"
                - location: "^~ /a/nore/"
                - location: "~ \\\\.php$"
            - location: "^~ /s/"
              locations:
                - location: "/s/deep/"
                - location: "~ \\\\.css$"
            - location: "~ ^/a/.*\\\\.(php|css|txt)$"
            - location: "~ /outer"
            - location: "~ ^/r/"
              locations:
                - location: "~ \\\\.inner$"
            - location: "= /exact"
            - location: "/exact"
            - location: "/exactly"
            - location: "/caf\\u00e9/"
            - location: "@named"
            """);

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            /a/x                => /a/
            /a/b/x              => /a/b/
            # a nested regex is tried before the outer ones
            /a/x.php            => ~ \\.php$
            /a/b/x.php          => ~ \\.php$
            # no nested regex matches: the outer regexes are tried
            /a/x.css            => ~ ^/a/.*\\.(php|css|txt)$
            # a nested ^~ suppresses the regexes nested in its parent, not the outer ones
            /a/nore/x.php       => ~ ^/a/.*\\.(php|css|txt)$
            /a/nore/x           => ^~ /a/nore/
            # an outer ^~ suppresses the outer regexes, but its own nested regexes still run
            /s/x.css            => ~ \\.css$
            /s/deep/x.css       => ~ \\.css$
            /s/outer            => ^~ /s/
            /s/deep/outer       => /s/deep/
            # a regex location's nested locations are searched after it matches
            /r/x                => ~ ^/r/
            /r/x.inner          => ~ \\.inner$
            # exact beats prefix of the same name only on an exact URI
            /exact              => = /exact
            /exact/             => /exact
            /exactly            => /exactly
            /exactlyx           => /exactly
            /nothing            => none
            /x/outer            => ~ /outer
            # names match bytes: the pattern's UTF-8 against the decoded URI
            /café/x             => /café/
            /cafe/x             => none
            # named locations are not selected by URI
            @named              => none
            """)
    void nestedLocations(String uri, String expected) {
        assertThat(select(NESTED, uri)).isEqualTo(expected);
    }

    static final ServerConfig CASE = server("""
            - location: "/Upper/"
            - location: "~* /\\u00e9t\\u00e9$"
            - location: "~ /Exact$"
            """);

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            /Upper/x   => /Upper/
            /upper/x   => none
            /Exact     => ~ /Exact$
            /exact     => none
            /été       => ~* /été$
            /ÉTÉ       => none
            /ÉtÉ       => none
            """)
    void prefixesAreCaseSensitiveAndCaselessRegexesFoldOnlyAscii(String uri, String expected) {
        assertThat(select(CASE, uri)).isEqualTo(expected);
    }

    /**
     * nginx builds its tree of prefix and exact locations only below prefix locations: those
     * nested in a regex location are never selected, while regexes nested in it are.
     */
    static final ServerConfig QUIRKS = server("""
            - location: "~ /reports/"
              locations:
                - location: "/reports/x"
                - location: "= /reports/de"
                - location: "^~ /reports/nore"
                - location: "~ \\\\.pdf$"
            - location: "/p/"
              locations:
                - location: "= /p/exact"
                - location: "~ /p/.*\\\\.js$"
                - location: "~ ^/p/"
                  locations:
                    - location: "~ inner$"
                    - location: "^/p/q"
            - location: "~ ^/rr/"
              locations:
                - location: "~ ^/rr/a"
                  locations:
                    - location: "~ z$"
            """);

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            # prefix and exact locations nested in a regex are never selected
            /reports/x/beta     => ~ /reports/
            /reports/x          => ~ /reports/
            /reports/de         => ~ /reports/
            # regexes nested in a regex are; a nested ^~ suppresses nothing
            /reports/a.pdf      => ~ \\.pdf$
            /reports/nore/a.pdf => ~ \\.pdf$
            /reports/nore/a     => ~ /reports/
            # an exact nested in a prefix wins before the nested regexes
            /p/exact            => = /p/exact
            /p/exact.js         => ~ /p/.*\\.js$
            /p/a.js             => ~ /p/.*\\.js$
            /p/x                => ~ ^/p/
            /p/xinner           => ~ inner$
            /p/q                => ~ ^/p/
            /p                  => none
            # regex in regex in regex
            /rr/a/z             => ~ z$
            /rr/a/y             => ~ ^/rr/a
            /rr/z               => ~ ^/rr/
            """)
    void locationsNestedInRegexesAsNginxBuildsItsTree(String uri, String expected) {
        assertThat(select(QUIRKS, uri)).isEqualTo(expected);
    }

    @Test
    void regexesSeeBytesSoADotMatchesOneByteOfAMultiByteCharacter() {
        ServerConfig s = server("""
                - location: "~ ^/x.y$"
                - location: "~ ^/p..q$"
                """);
        assertThat(select(s, "/xéy")).isEqualTo("none"); // é is two bytes
        assertThat(select(s, "/péq")).isEqualTo("~ ^/p..q$");
    }

    @Test
    void explainTellsWhyALocationWasSelected() {
        List<String> trace = new java.util.ArrayList<>();
        Location l = NESTED.scope().explain(Location.toByteString("/a/nore/x.php"), trace);
        assertThat(l.pattern()).isEqualTo("~ ^/a/.*\\.(php|css|txt)$");
        assertThat(trace).containsExactly(
                "longest prefix at server servers[0]: /a/ (remembered; regexes come next)",
                "longest prefix at location /a/: ^~ /a/nore/ (^~: the regexes of this level are skipped)",
                "regex ~ ^/a/.*\\.(php|css|txt)$ matches: first match wins",
                "selected ~ ^/a/.*\\.(php|css|txt)$ (servers[0].locations[2])");
    }

    @Test
    void badPatternsFailWithThePath() {
        assertThatThrownBy(() -> server("""
                - location: "~ ([a-z"
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("engine.servers[0].locations[0].location")
                .hasMessageContaining("not a valid regular expression");
        assertThatThrownBy(() -> server("""
                - location: "/a/"
                  locations:
                    - location: "/b/"
                """)).hasMessageContaining("servers[0].locations[0].locations[0]")
                .hasMessageContaining("is outside location '/a/'");
        assertThatThrownBy(() -> server("""
                - location: "/a/"
                - location: "/a/"
                """)).hasMessageContaining("duplicate location '/a/'");
        assertThatThrownBy(() -> server("""
                - location: "= /a"
                  locations:
                    - location: "/a/b"
                """)).hasMessageContaining("cannot be inside the exact location");
        assertThatThrownBy(() -> server("""
                - location: "/a/"
                  locations:
                    - location: "@n"
                """)).hasMessageContaining("can be on the server level only");
        assertThatThrownBy(() -> server("""
                - location: ""
                """)).hasMessageContaining("is not a location pattern");
        assertThatThrownBy(() -> server("""
                - return: 200
                """)).hasMessageContaining("servers[0].locations[0].location: missing");
    }
}
