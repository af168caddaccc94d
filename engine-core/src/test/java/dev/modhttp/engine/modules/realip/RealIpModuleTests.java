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
            /real-ip/x    => X-Real-IP: 2001:db8::1                          => 2001:db8::1 127.0.0.1
            /real-ip/x    => X-Real-IP: 2001:0db8:0:0:0:0:0:01               => 2001:db8::1 127.0.0.1
            /real-ip/x    => X-Real-IP: 203.0.113.7:51008                    => 203.0.113.7 127.0.0.1
            /real-ip/x    => X-Real-IP: [2001:db8::7]:443                    => 2001:db8::7 127.0.0.1
            /xff/x        => X-Forwarded-For: 198.51.100.1, 10.1.1.1:8080    => 10.1.1.1 127.0.0.1
            /recursive/x  => X-Forwarded-For: [2001:db8::7]:443, 10.1.1.1:80 => 2001:db8::7 127.0.0.1
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

    static final String PROXIED = """
            servers:
              - listen: ["127.0.0.1:0 proxy-protocol"]
                set-real-ip-from: [127.0.0.1]
                real-ip-header: proxy_protocol
                locations:
                  - location: /
                    return: "200 $remote_addr:$remote_port $proxy_protocol_addr $realip_remote_addr"
            """;

    @org.junit.jupiter.api.Test
    void aProxyProtocolV1HeaderNamesTheClient() {
        try (TestEngine e = TestEngine.start(PROXIED); RawClient c = e.raw()) {
            c.send("PROXY TCP4 203.0.113.9 127.0.0.1 56324 80\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("203.0.113.9:56324 203.0.113.9 127.0.0.1");
            // the header comes once per connection; the address holds for every request on it
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).startsWith("203.0.113.9:56324 ");
        }
    }

    @org.junit.jupiter.api.Test
    void aProxyProtocolV2HeaderNamesAnIpv6Client() throws Exception {
        try (TestEngine e = TestEngine.start(PROXIED); RawClient c = e.raw()) {
            assertThat(c.send(v2(0x21)).read().body()).isEqualTo("2001:db8::5:50000 2001:db8::5 127.0.0.1");
        }
        // over a datagram transport nginx takes none of the addresses (found by a break test)
        try (TestEngine e = TestEngine.start(PROXIED); RawClient c = e.raw()) {
            assertThat(c.send(v2(0x22)).read().body()).startsWith("127.0.0.1:").doesNotContain("2001:db8");
        }
    }

    /** A PROXY v2 header from [2001:db8::5]:50000 to [::1]:80 over {@code familyTransport}, then a request. */
    private static byte[] v2(int familyTransport) throws Exception {
        java.io.ByteArrayOutputStream v2 = new java.io.ByteArrayOutputStream();
        v2.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        v2.write(0x21); // version 2, PROXY
        v2.write(familyTransport); // 0x21 AF_INET6 STREAM, 0x22 AF_INET6 DGRAM
        v2.write(0);
        v2.write(36); // two addresses and two ports
        v2.write(java.net.InetAddress.getByName("2001:db8::5").getAddress());
        v2.write(java.net.InetAddress.getByName("::1").getAddress());
        v2.write(new byte[] {(byte) 0xC3, 0x50, 0x00, 0x50}); // 50000 -> 80
        v2.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return v2.toByteArray();
    }

    @org.junit.jupiter.api.Test
    void aConnectionWithoutAValidProxyHeaderIsClosedAndOthersAreServed() {
        try (TestEngine e = TestEngine.start(PROXIED)) {
            try (RawClient bad = e.raw()) {
                bad.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(bad.readToEnd()).isEmpty();
            }
            try (RawClient good = e.raw()) {
                good.send("PROXY TCP4 198.51.100.2 127.0.0.1 1000 80\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(good.read().body()).startsWith("198.51.100.2:1000 ");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aProxyHeaderFromAnUntrustedAddressIsNotBelieved() {
        try (TestEngine e = TestEngine.start(PROXIED.replace("set-real-ip-from: [127.0.0.1]", "set-real-ip-from: [10.0.0.0/8]"));
                RawClient c = e.raw()) {
            c.send("PROXY TCP4 203.0.113.9 127.0.0.1 56324 80\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.read().body()).startsWith("127.0.0.1:");
        }
    }
}
