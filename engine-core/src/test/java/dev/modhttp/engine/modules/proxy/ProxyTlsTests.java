package dev.modhttp.engine.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.TestCertificates;
import dev.modhttp.engine.test.TestEngine;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** proxy-pass to an https:// backend (the engine itself on a TLS port), nginx's proxy_ssl_* keys. */
@Timeout(60)
class ProxyTlsTests {

    static TestEngine backend() throws Exception {
        Path dir = TestCertificates.dir();
        return TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                    ssl-certificate: %1$s/a.test.crt
                    ssl-certificate-key: %1$s/a.test.key
                    locations:
                      - location: /
                        return: "200 $scheme sni=$ssl_server_name uri=$request_uri"
                """.formatted(dir));
    }

    static TestEngine front(int port, String keys) {
        return TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: https://127.0.0.1:%d/in/
                %s
                """.formatted(port, keys));
    }

    @Test
    void anHttpsBackendIsReachedWithoutSniOrVerificationByDefault() throws Exception {
        try (TestEngine b = backend(); TestEngine f = front(b.port(), "")) {
            HttpResponse<String> r = f.http().get("/x?y=1");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("https sni= uri=/in/x?y=1");
            assertThat(f.http().get("/again").body()).isEqualTo("https sni= uri=/in/again");
        }
    }

    @Test
    void serverNameSendsTheNameAndVerifyChecksTheChainAndTheName() throws Exception {
        Path dir = TestCertificates.dir();
        try (TestEngine b = backend()) {
            try (TestEngine f = front(b.port(), """
                            proxy-ssl-server-name: on
                            proxy-ssl-name: a.test
                            proxy-ssl-verify: on
                            proxy-ssl-trusted-certificate: %s/a.test.crt
                    """.formatted(dir))) {
                assertThat(f.http().get("/x").body()).isEqualTo("https sni=a.test uri=/in/x");
            }
            MemoryAppender.clear();
            try (TestEngine f = front(b.port(), """
                            proxy-ssl-name: other.test
                            proxy-ssl-verify: on
                            proxy-ssl-trusted-certificate: %s/a.test.crt
                    """.formatted(dir))) {
                assertThat(f.http().get("/x").statusCode()).isEqualTo(502);
                assertThat(MemoryAppender.lines()).anyMatch(l -> l.contains("SSL_do_handshake() failed")
                        && l.contains("while SSL handshaking to upstream"));
            }
            try (TestEngine f = front(b.port(), """
                            proxy-ssl-name: a.test
                            proxy-ssl-verify: on
                            proxy-ssl-trusted-certificate: %s/b.test.crt
                    """.formatted(dir))) {
                assertThat(f.http().get("/x").statusCode()).as("a chain the trusted file does not hold").isEqualTo(502);
            }
        }
    }
}
