package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Choosing a server by Host among those on one address, nginx's order. */
@Timeout(30)
class ServerSelectionTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                server-names: [first.test]
                return: "200 first"
              - listen: ["127.0.0.1:0"]
                server-names: [www.example.com, "~^API\\\\d+\\\\.example\\\\.(com|net)$"]
                return: "200 exact-or-regex"
              - listen: ["127.0.0.1:0"]
                server-names: ["*.example.com"]
                return: "200 leading-wildcard"
              - listen: ["127.0.0.1:0"]
                server-names: ["*.deep.example.com"]
                return: "200 longer-leading-wildcard"
              - listen: ["127.0.0.1:0"]
                server-names: ["www.example.*"]
                return: "200 trailing-wildcard"
              - listen: ["127.0.0.1:0 default-server"]
                server-names: [default.test, .dotted.test]
                return: "200 marked-default"
            """;

    @ParameterizedTest(name = "[{index}] Host: {0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            first.test              => first
            FIRST.TEST.             => first
            first.test:8080         => first
            www.example.com         => exact-or-regex
            a.example.com           => leading-wildcard
            a.b.example.com         => leading-wildcard
            x.deep.example.com      => longer-leading-wildcard
            www.example.org         => trailing-wildcard
            api12.example.net       => exact-or-regex
            API12.Example.NET       => exact-or-regex
            api12.example.com       => leading-wildcard
            dotted.test             => marked-default
            sub.dotted.test         => marked-default
            unknown.test            => marked-default
            127.0.0.1               => marked-default
            """)
    void hostSelectsTheServerInNginxOrder(String host, String expected) {
        try (TestEngine e = TestEngine.start(YAML); RawClient c = e.raw()) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read().body()).isEqualTo(expected);
        }
    }

    @Test
    void withoutAMarkedDefaultTheFirstServerOnTheAddressIsTheDefault() {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    server-names: [a.test]
                    return: "200 a"
                  - listen: ["127.0.0.1:0"]
                    server-names: [b.test]
                    return: "200 b"
                """); RawClient c = e.raw()) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: other\r\n\r\n").read().body()).isEqualTo("a");
            assertThat(c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read().body()).isEqualTo("a");
            // absolute-form: the host in the request line wins over Host
            assertThat(c.send("GET http://b.test/x HTTP/1.1\r\nHost: a.test\r\n\r\n").read().body()).isEqualTo("b");
        }
    }

    @Test
    void aRequestWithoutHostGoesToTheServerNamedEmptyAndServerNameDropsALeadingDot() {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    server-names: [a.test]
                    return: "200 a $server_name"
                  - listen: ["127.0.0.1:0"]
                    server-names: [.dotted.test, ""]
                    return: "200 empty $server_name $host"
                """); RawClient c = e.raw()) {
            assertThat(c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read().body())
                    .isEqualTo("empty dotted.test dotted.test");
            assertThat(c.send("GET / HTTP/1.1\r\nHost: x.dotted.test\r\n\r\n").read().body())
                    .isEqualTo("empty dotted.test x.dotted.test");
            assertThat(c.send("GET / HTTP/1.1\r\nHost: other\r\n\r\n").read().body()).isEqualTo("a a.test");
        }
    }
}
