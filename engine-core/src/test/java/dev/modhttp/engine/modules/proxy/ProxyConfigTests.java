package dev.modhttp.engine.modules.proxy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.test.TestEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configurations nginx refuses (nginx -t, 1.22) fail startup too, naming the key and where it was written. */
class ProxyConfigTests {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            '~ /r'    | http://127.0.0.1:9/r/   | servers[0].locations[0].proxy-pass | cannot have URI part in location given by regular expression
            '@r'      | http://127.0.0.1:9/     | servers[0].locations[0].proxy-pass | cannot have URI part
            /r/       | 127.0.0.1:9             | servers[0].locations[0].proxy-pass | invalid URL prefix
            /r/       | ftp://127.0.0.1:9/      | servers[0].locations[0].proxy-pass | invalid URL prefix
            /r/       | http://127.0.0.1:99999/ | servers[0].locations[0].proxy-pass | invalid port
            /r/       | http://up:9/            | servers[0].locations[0].proxy-pass | upstream "up" may not have port 9
            /r/       | 'http://127.0.0.1:9/ x' | servers[0].locations[0].proxy-pass | a space or control character
            """)
    void aBadProxyPassFailsStartupNamingIt(String location, String pass, String where, String message) {
        String yaml = """
                upstreams:
                  - name: up
                    servers: ["127.0.0.1:9"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: "%s"
                        proxy-pass: "%s"
                """.formatted(location, pass);
        assertThatThrownBy(() -> TestEngine.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(where).hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            '["127.0.0.1:9", "127.0.0.1:10"]' | 'upstreams: [{name: a, servers: ["127.0.0.1:9"]}, {name: a, servers: ["127.0.0.1:10"]}]' | upstreams[1].name | duplicate upstream "a"
            backup only                      | 'upstreams: [{name: a, servers: ["127.0.0.1:9 backup"]}]' | upstreams[0].servers | only backup servers
            a key without its variable       | 'upstreams: [{name: a, servers: ["127.0.0.1:9"], balance: hash $nosuchvariable}]' | upstreams[0].balance | nosuchvariable
            """)
    void aBadUpstreamFailsStartupNamingIt(String what, String upstreams, String where, String message) {
        String yaml = upstreams + """

                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://a
                """;
        assertThatThrownBy(() -> TestEngine.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(where).hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            'X-A $nosuchvariable' | proxy-set-header
            """)
    void aBadProxySetHeaderNamesItsOwnKey(String entry, String key) {
        String yaml = """
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://127.0.0.1:9
                        proxy-set-header: ["%s"]
                """.formatted(entry);
        assertThatThrownBy(() -> TestEngine.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("servers[0].locations[0]." + key);
    }
}
