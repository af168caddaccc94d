package dev.modhttp.engine.modules.headers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** add-header with merge (default), replace (nginx's rule) and off, "always", and expires. */
@Timeout(30)
class HeadersModuleTests {

    static final String YAML = """
            add-header: ["X-Main main"]
            servers:
              - listen: ["127.0.0.1:0"]
                add-header: ["X-Server server"]
                expires: 1h
                locations:
                  - location: /merged
                    add-header: ["X-Location loc"]
                    return: "200 ok"
                  - location: /redefined
                    add-header: ["X-Main changed"]
                    return: "200 ok"
                  - location: /replaced
                    add-header-inherit: replace
                    add-header: ["X-Only only"]
                    return: "200 ok"
                  - location: /off
                    add-header-inherit: off
                    expires: off
                    return: "200 ok"
                  - location: /missing
                    add-header: ["X-Always yes always", "X-Success-Only no"]
                  - location: /epoch
                    expires: epoch
                    return: "200 ok"
                  - location: /max
                    expires: max
                    return: "200 ok"
                  - location: /negative
                    expires: -1h
                    return: "200 ok"
                  - location: /vars/
                    add-header: ["X-Uri $uri", "X-Seen ${request_method}:$arg_id"]
                    return: "200 ok"
            """;

    static RawClient.Response get(TestEngine e, String path) {
        try (RawClient c = e.raw()) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
    }

    static List<String> all(RawClient.Response r, String name) {
        List<String> v = r.headers().get(name.toLowerCase());
        return v == null ? List.of() : v;
    }

    @Test
    void aChildThatAddsAHeaderKeepsItsParentsByDefault() {
        try (TestEngine e = TestEngine.start(YAML)) {
            RawClient.Response merged = get(e, "/merged");
            assertThat(merged.header("X-Main")).isEqualTo("main");
            assertThat(merged.header("X-Server")).isEqualTo("server");
            assertThat(merged.header("X-Location")).isEqualTo("loc");
            RawClient.Response redefined = get(e, "/redefined");
            assertThat(all(redefined, "X-Main")).containsExactly("changed");
            assertThat(redefined.header("X-Server")).isEqualTo("server");
        }
    }

    @Test
    void replaceIsNginxsRuleAndOffInheritsNothing() {
        try (TestEngine e = TestEngine.start(YAML)) {
            RawClient.Response replaced = get(e, "/replaced");
            assertThat(replaced.header("X-Only")).isEqualTo("only");
            assertThat(replaced.header("X-Main")).isNull();
            assertThat(replaced.header("X-Server")).isNull();
            RawClient.Response off = get(e, "/off");
            assertThat(off.header("X-Main")).isNull();
            assertThat(off.header("X-Server")).isNull();
            assertThat(off.header("Expires")).isNull();
            assertThat(off.header("Cache-Control")).isNull();
        }
    }

    @Test
    void onlyAlwaysEntriesReachErrorResponses() {
        try (TestEngine e = TestEngine.start(YAML)) {
            RawClient.Response missing = get(e, "/missing");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("X-Always")).isEqualTo("yes");
            assertThat(missing.header("X-Success-Only")).isNull();
            assertThat(missing.header("Cache-Control")).isNull();
        }
    }

    @Test
    void expiresSetsExpiresAndCacheControlAsNginxDoes() {
        try (TestEngine e = TestEngine.start(YAML)) {
            RawClient.Response hour = get(e, "/merged");
            assertThat(hour.header("Cache-Control")).isEqualTo("max-age=3600");
            Instant expires = ZonedDateTime.parse(hour.header("Expires"), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            assertThat(expires).isBetween(Instant.now().plusSeconds(3590), Instant.now().plusSeconds(3610));
            assertThat(get(e, "/epoch").header("Expires")).isEqualTo("Thu, 01 Jan 1970 00:00:01 GMT");
            assertThat(get(e, "/epoch").header("Cache-Control")).isEqualTo("no-cache");
            assertThat(get(e, "/max").header("Expires")).isEqualTo("Thu, 31 Dec 2037 23:55:55 GMT");
            assertThat(get(e, "/max").header("Cache-Control")).isEqualTo("max-age=315360000");
            assertThat(get(e, "/negative").header("Cache-Control")).isEqualTo("no-cache");
        }
    }

    @Test
    void badEntriesFailStartupWithTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestEngine.start("add-header: [\"NoValue\"]"))
                .hasMessageStartingWith("engine.add-header: 'NoValue' is not \"name value [always]\"");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestEngine.start("expires: soon"))
                .hasMessageStartingWith("engine.expires: 'soon' is not a duration");
    }

    @Test
    void valuesRenderVariablesPerResponseAndCannotSplitIt() {
        try (TestEngine e = TestEngine.start(YAML)) {
            RawClient.Response r = get(e, "/vars/x?id=7");
            assertThat(r.header("X-Uri")).isEqualTo("/vars/x");
            assertThat(r.header("X-Seen")).isEqualTo("GET:7");
            RawClient.Response injected = get(e, "/vars/a%0D%0AInjected:%20yes");
            assertThat(injected.status()).isEqualTo(200);
            assertThat(injected.header("X-Uri")).isEqualTo("/vars/a%0D%0AInjected: yes");
            assertThat(injected.header("Injected")).isNull();
            RawClient.Response control = get(e, "/vars/%02%7F%09x");
            assertThat(control.status()).as("any control byte, never a 500").isEqualTo(200);
            assertThat(control.header("X-Uri")).isEqualTo("/vars/%02%7F\tx");
        }
    }
}
