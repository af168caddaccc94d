package dev.modhttp.engine.modules.rewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** rewrite with captures and nginx's flags. */
@Timeout(30)
class RewriteModuleTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                rewrite: ["^/legacy/(.*)$ /v2/$1"]
                locations:
                  - location: /v2/
                    return: "200 v2"
                  - location: /last/
                    rewrite: ["^/last/(\\\\w+)$ /target/$1 last"]
                    return: "200 never reached"
                  - location: /break/
                    rewrite: ["^/break/(.*)$ /elsewhere/$1 break"]
                  - location: /elsewhere/
                    return: "200 wrong location"
                  - location: /target/
                  - location: /chain/
                    rewrite: ["^/chain/a$ /chain/b", "^/chain/b$ /target/b"]
                  - location: /moved/
                    rewrite: ["^/moved/(.*)$ /new/$1 permanent"]
                  - location: /temp/
                    rewrite: ["^/temp/(.*)$ /new/$1?from=temp redirect"]
                  - location: /away
                    rewrite: ["^ https://example.com$uri"]
                  - location: /args/
                    rewrite: ["^/args/x$ /target/x?added=1 last", "^/args/y$ /target/y?only=1? last"]
                  - location: /vars/
                    rewrite: ["^/vars/(\\\\w+)$ /target/$arg_id/$1-${host}x last"]
                  - location: /loop/
                    rewrite: ["^/loop/(.*)$ /loop/$1x"]
                  - location: /ext/
                    rewrite: ["^/ext/plain$ http://example.com/ redirect", "^/ext/add$ http://example.com/add?c=d",
                              "^/ext/drop$ http://example.com/add?c=d?"]
                  - location: /cap/
                    rewrite: ["^/cap/(.*)$ /target/x?v=$1 last"]
                  - location: /capredir/
                    rewrite: ["^/capredir/(.*)$ /new/$1 redirect"]
                  - location: /drop/
                    rewrite: ["^/drop/(.*)$ /target/$1? last"]
            """;

    static TestEngine engine() {
        // shows where the request ended up
        return TestEngine.start(YAML, b -> b.handler(new HandlerDefinition(Phase.CONTENT, 0, "show", ex -> {
            ex.response().body(ex.location().name() + " " + ex.request().uri() + " " + ex.request().args());
            return Result.OK;
        }, false, null)));
    }

    static RawClient.Response get(TestEngine e, String path) {
        try (RawClient c = e.raw()) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: h.test\r\n\r\n").read();
        }
    }

    @Test
    void serverRewritesRunBeforeTheLocationIsChosen() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/legacy/page").body()).isEqualTo("v2");
        }
    }

    @Test
    void lastSelectsTheLocationAgainAndSkipsTheRestOfTheLocationsRewritePhase() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/last/abc").body()).isEqualTo("/target/ /target/abc ");
        }
    }

    @Test
    void breakStaysInTheCurrentLocation() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/break/x").body()).isEqualTo("/break/ /elsewhere/x ");
        }
    }

    @Test
    void withoutAFlagTheNextEntrySeesTheNewUriThenTheLocationIsChosenAgain() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/chain/a").body()).isEqualTo("/target/ /target/b ");
        }
    }

    @Test
    void redirectAndPermanentAnswer302And301WithAbsoluteLocations() {
        try (TestEngine e = engine()) {
            RawClient.Response moved = get(e, "/moved/p?q=1");
            assertThat(moved.status()).isEqualTo(301);
            assertThat(moved.header("Location")).isEqualTo("http://h.test:" + e.port() + "/new/p?q=1");
            RawClient.Response temp = get(e, "/temp/p?q=1");
            assertThat(temp.status()).isEqualTo(302);
            assertThat(temp.header("Location")).isEqualTo("http://h.test:" + e.port() + "/new/p?from=temp&q=1");
            RawClient.Response away = get(e, "/away");
            assertThat(away.status()).isEqualTo(302);
            assertThat(away.header("Location")).isEqualTo("https://example.com/away");
        }
    }

    @Test
    void aReplacementEndingInAQuestionMarkAfterACaptureDropsTheArgumentsAndAQuestionMarkInACaptureStaysInTheUri() {
        try (TestEngine e = engine()) {
            // nginx: "/target/$1?" keeps no arguments; a "?" that $1 brought (%3F) is part of the URI
            assertThat(get(e, "/drop/x?orig=2").body()).isEqualTo("/target/ /target/x ");
            assertThat(get(e, "/drop/a%3Fb?orig=2").body()).isEqualTo("/target/ /target/a?b ");
        }
    }

    @Test
    void argumentsAreAppendedUnlessTheReplacementEndsWithAQuestionMark() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/args/x?orig=2").body()).isEqualTo("/target/ /target/x added=1&orig=2");
            assertThat(get(e, "/args/y?orig=2").body()).isEqualTo("/target/ /target/y only=1");
        }
    }

    @Test
    void aRedirectToAnotherSiteKeepsTheRequestsArgumentsAfterItsOwn() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/ext/plain?a=b").header("Location")).isEqualTo("http://example.com/?a=b");
            assertThat(get(e, "/ext/add?a=b").header("Location")).isEqualTo("http://example.com/add?c=d&a=b");
            assertThat(get(e, "/ext/drop?a=b").header("Location")).isEqualTo("http://example.com/add?c=d");
        }
    }

    @Test
    void capturesPutIntoArgumentsOrARedirectAreEscapedAgainWhenTheUriWasEncoded() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/cap/a%25b").body()).isEqualTo("/target/ /target/x v=a%25b");
            assertThat(get(e, "/cap/a%20b%26c").body()).isEqualTo("/target/ /target/x v=a%20b%26c");
            assertThat(get(e, "/cap/plain").body()).isEqualTo("/target/ /target/x v=plain");
            // in a redirect's path only space, controls, high bytes and " # % are encoded again (nginx 1.22)
            assertThat(get(e, "/capredir/a%3Fb%3B%20%25%23").header("Location")).endsWith("/new/a?b;%20%25%23");
        }
    }

    @Test
    void aReplacementMixesCapturesAndVariables() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/vars/abc?id=7").body()).isEqualTo("/target/ /target/7/abc-h.testx id=7");
        }
    }

    @Test
    void aRewriteLoopEndsIn500AfterTenChanges() {
        try (TestEngine e = engine()) {
            assertThat(get(e, "/loop/a").status()).isEqualTo(500);
        }
    }

    @Test
    void badEntriesFailStartup() {
        assertThatThrownBy(() -> TestEngine.start("servers: [{ rewrite: [\"^/a /b sideways\"] }]"))
                .hasMessageContaining("engine.servers[0].rewrite: 'sideways' is not last, break, redirect or permanent");
        assertThatThrownBy(() -> TestEngine.start("servers: [{ rewrite: [\"^/(a /b\"] }]"))
                .hasMessageContaining("is not a valid regular expression");
    }
}
