package dev.modhttp.engine.modules.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * allow/deny in order, first match wins; the client's address varied through a trusted
 * X-Forwarded-For. Content comes from a CONTENT handler: a {@code return} would answer in
 * REWRITE, before ACCESS, as in nginx.
 */
@Timeout(30)
class AccessModuleTests {

    static final String YAML = """
            set-real-ip-from: [127.0.0.1]
            real-ip-header: X-Forwarded-For
            servers:
              - listen: ["127.0.0.1:0"]
                access: ["deny 192.168.1.1", "allow 192.168.1.0/24", "allow 2001:db8::/32", "deny all"]
                locations:
                  - location: /
                  - location: /open/
                    access: ["allow all"]
                  - location: /lan/
                    access: ["allow 10.0.0.0/8", "deny all"]
                    locations:
                      - location: /lan/inner/
            """;

    static TestEngine start(String yaml, Phase extraPhase, Result extra) {
        return TestEngine.start(yaml, b -> {
            b.handler(Phase.CONTENT, ex -> {
                ex.response().body("in");
                return Result.OK;
            });
            if (extraPhase != null) {
                b.handler(extraPhase, ex -> extra);
            }
        });
    }

    static int status(TestEngine e, String path, String client) {
        try (RawClient c = e.raw()) {
            String xff = client == null ? "" : "X-Forwarded-For: " + client + "\r\n";
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n" + xff + "\r\n").read().status();
        }
    }

    @ParameterizedTest(name = "[{index}] {0} from {1} -> {2}")
    @CsvSource(delimiterString = "=>", nullValues = "NONE", textBlock = """
            /            => 192.168.1.5          => 200
            /            => 192.168.1.1          => 403
            /            => 192.168.2.1          => 403
            /            => 2001:db8::7          => 200
            /            => 2001:db9::7          => 403
            /            => ::ffff:192.168.1.9   => 200
            /            => NONE                 => 403
            /open/       => 10.1.1.1             => 200
            /lan/inner/  => 10.200.0.1           => 200
            /lan/inner/  => 192.168.1.5          => 403
            """)
    void theFirstMatchingRuleDecidesAndAChildsRulesReplaceItsParents(String path, String client, int expected) {
        try (TestEngine e = start(YAML, null, null)) {
            assertThat(status(e, path, client)).isEqualTo(expected);
        }
    }

    @Test
    void aDeniedRequestIsLoggedAsNginxDoes() {
        dev.modhttp.engine.test.MemoryAppender.clear();
        try (TestEngine e = start(YAML, null, null)) {
            assertThat(status(e, "/", "192.168.1.1")).isEqualTo(403);
        }
        assertThat(dev.modhttp.engine.test.MemoryAppender.lines())
                .anyMatch(l -> l.contains("access forbidden by rule, client: 192.168.1.1, request: \"GET / HTTP/1.1\""));
    }

    @Test
    void satisfyAnyLetsOneAllowingModuleSuffice() {
        String yaml = """
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        satisfy: any
                        access: ["allow 127.0.0.1", "deny all"]
                """;
        try (TestEngine all = start(yaml.replace("satisfy: any", "satisfy: all"), Phase.ACCESS, Result.status(403));
                TestEngine any = start(yaml, Phase.ACCESS, Result.status(403))) {
            assertThat(status(all, "/", null)).isEqualTo(403);
            assertThat(status(any, "/", null)).isEqualTo(200);
        }
    }

    @Test
    void badRulesFailStartupNamingTheKey() {
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("deny 192.168.1.1", "deny 192.168.1.300")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("engine.servers[0].access")
                .hasMessageContaining("192.168.1.300");
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("deny 192.168.1.1", "permit 192.168.1.1")).close())
                .hasMessageContaining("is not \"allow|deny address[/prefix]|all\"");
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("allow 192.168.1.0/24", "allow 192.168.1.0/33")).close())
                .hasMessageContaining("prefix outside 0-32");
    }
}
