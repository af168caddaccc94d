package dev.modhttp.engine.modules.realip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variables;
import dev.modhttp.engine.test.TestEngine;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The client's address from trusted proxies' headers, as nginx's realip finds it. A CONTENT
 * handler shows it: a {@code return} answers in REWRITE, before a location's own settings
 * apply in PREACCESS, as in nginx.
 */
@Timeout(30)
class RealIpModuleTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                set-real-ip-from: [127.0.0.1, 10.0.0.0/8]
                locations:
                  - location: /real-ip/

                  - location: /xff/
                    real-ip-header: X-Forwarded-For
                  - location: /recursive/
                    real-ip-header: X-Forwarded-For
                    real-ip-recursive: on
            """;

    /** Without server-wide settings, a location's own apply in PREACCESS. */
    static final String LOCATION_ONLY = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: /untrusted/
                    set-real-ip-from: [10.0.0.0/8]
                  - location: /trusted/
                    set-real-ip-from: [127.0.0.0/8]
                  - location: /none/
            """;

    @ParameterizedTest(name = "[{index}] {0} with {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            /real-ip/x    => X-Real-IP: 203.0.113.7                          => 203.0.113.7 127.0.0.1
            /real-ip/x    => X-Real-IP: 2001:db8::1                          => 2001:db8:0:0:0:0:0:1 127.0.0.1
            /real-ip/x    => X-Real-IP: not-an-address                       => 127.0.0.1 127.0.0.1
            /real-ip/x    => X-Other: 203.0.113.7                            => 127.0.0.1 127.0.0.1
            /xff/x        => X-Forwarded-For: 198.51.100.1, 10.1.1.1         => 10.1.1.1 127.0.0.1
            /recursive/x  => X-Forwarded-For: 198.51.100.1, 10.1.1.1         => 198.51.100.1 127.0.0.1
            /recursive/x  => X-Forwarded-For: 198.51.100.1|X-Forwarded-For: 10.2.2.2, 10.1.1.1 => 198.51.100.1 127.0.0.1
            /recursive/x  => X-Forwarded-For: 10.3.3.3, 10.1.1.1             => 10.3.3.3 127.0.0.1
            /recursive/x  => X-Forwarded-For: junk, 10.1.1.1                 => 10.1.1.1 127.0.0.1
            """)
    void theAddressComesFromTheHeaderOnlyForTrustedProxies(String path, String headers, String expected) {
        check(YAML, path, headers, expected);
    }

    @ParameterizedTest(name = "[{index}] {0} with {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            /untrusted/x  => X-Real-IP: 203.0.113.7  => 127.0.0.1 127.0.0.1
            /trusted/x    => X-Real-IP: 203.0.113.7  => 203.0.113.7 127.0.0.1
            /none/x       => X-Real-IP: 203.0.113.7  => 127.0.0.1 127.0.0.1
            """)
    void aLocationsOwnSettingsApplyBeforeAccess(String path, String headers, String expected) {
        check(LOCATION_ONLY, path, headers, expected);
    }

    static void check(String yaml, String path, String headers, String expected) {
        Template show = Variables.with(new RealIpModule().variables()).compile("$remote_addr $realip_remote_addr");
        try (TestEngine e = TestEngine.start(yaml, b -> b.handler(Phase.CONTENT, ex -> {
            ex.response().body(show.render(ex));
            return Result.OK;
        })); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n" + headers.replace("|", "\r\n")
                    + "\r\n\r\n").read();
            assertThat(r.body()).isEqualTo(expected);
        }
    }
}
