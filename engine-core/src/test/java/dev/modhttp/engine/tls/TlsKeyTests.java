package dev.modhttp.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.test.TestCertificates;
import dev.modhttp.engine.test.TestEngine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server's key material and what a handshake takes from {@code ssl-*}: keys in every PEM
 * form with {@code ssl-password-file}, several pairs chosen by what the client supports,
 * {@code ssl-ciphers} and {@code ssl-prefer-server-ciphers}, and sessions resumed from tickets
 * or the cache ({@code $ssl_session_reused}). Each runs with OpenSSL and with the JDK's
 * provider where both can.
 */
@Timeout(60)
class TlsKeyTests {

    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        dir = TestCertificates.dir();
    }

    static String yaml(String ssl) {
        return """
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                    server-names: [a.test]
                    %2$s
                    locations:
                      - location: /
                        return: "200 $ssl_protocol $ssl_cipher $ssl_session_reused"
                """.formatted(dir, ssl.replace("%DIR%", dir.toString()).replace("\n", "\n    "));
    }

    /** What one handshake and request showed: the key type of the server's certificate, and the response body. */
    record Result(String keyType, String cipher, String body) {
    }

    static Result request(SSLContext client, int port, Consumer<SSLParameters> tweak) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            SSLParameters params = s.getSSLParameters();
            tweak.accept(params);
            s.setSSLParameters(params);
            s.startHandshake();
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            s.getInputStream().transferTo(response);
            String text = response.toString(StandardCharsets.UTF_8);
            assertThat(text).startsWith("HTTP/1.1 200 ");
            return new Result(cert.getPublicKey().getAlgorithm(), s.getSession().getCipherSuite(),
                    text.substring(text.indexOf("\r\n\r\n") + 4));
        }
    }

    static Result request(int port, Consumer<SSLParameters> tweak) throws Exception {
        return request(TestCertificates.clientContext(), port, tweak);
    }

    /** Runs {@code body} with the JDK's provider when {@code jdk}, OpenSSL otherwise. */
    static void withProvider(boolean jdk, ThrowingRunnable body) throws Exception {
        if (jdk) {
            System.setProperty(TlsContexts.PROVIDER_PROPERTY, "jdk");
        }
        try {
            body.run();
        } finally {
            System.clearProperty(TlsContexts.PROVIDER_PROPERTY);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.test.key", "a.test.pkcs1.key", "a.test.enc.key", "a.test.legacy.key"})
    void aKeyInAnyPemFormOpenSslWritesServesWithItsPasswordFromTheFile(String key) throws Exception {
        try (TestEngine e = TestEngine.start(yaml("""
                ssl-certificate: %DIR%/a.test.crt
                ssl-certificate-key: %DIR%/""" + key + """

                ssl-password-file: %DIR%/passwords"""))) {
            Result r = request(e.port(), p -> { });
            assertThat(r.keyType()).isEqualTo("RSA");
            assertThat(r.body()).startsWith("TLSv1.3 TLS_");
        }
    }

    @Test
    void anEncryptedKeyWithoutAPasswordThatOpensItFailsStartupNamingTheKeyAndTheFile() throws Exception {
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(yaml("""
                ssl-certificate: %DIR%/a.test.crt
                ssl-certificate-key: %DIR%/a.test.enc.key""")))
                .build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("servers[0]")
                .hasMessageContaining("ssl-certificate-key").hasMessageContaining("a.test.enc.key is encrypted")
                .hasMessageContaining("ssl-password-file");
        Path wrong = dir.resolve("wrong-passwords");
        java.nio.file.Files.writeString(wrong, "nope\nstill-not\n");
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(yaml("""
                ssl-certificate: %DIR%/a.test.crt
                ssl-certificate-key: %DIR%/a.test.legacy.key
                ssl-password-file: %DIR%/wrong-passwords""")))
                .build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl-password-file")
                .hasMessageContaining("none of the 2 password(s) in " + wrong).hasMessageContaining("a.test.legacy.key");
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(yaml("""
                ssl-certificate: [%DIR%/a.test.crt, %DIR%/a.test-ec.crt]
                ssl-certificate-key: %DIR%/a.test.key""")))
                .build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl-certificate-key")
                .hasMessageContaining("2 ssl-certificate but 1 ssl-certificate-key");
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(yaml("""
                ssl-certificate: %DIR%/a.test.crt
                ssl-certificate-key: %DIR%/a.test-ec.key""")))
                .build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl-certificate-key")
                .hasMessageContaining("does not belong to the certificate");
    }

    /** The RSA pair of a.test, as most tests serve it. */
    static final String PAIR = """
            ssl-certificate: %DIR%/a.test.crt
            ssl-certificate-key: %DIR%/a.test.key
            """;

    static final String TWO_PAIRS = """
            ssl-certificate: [%DIR%/a.test.crt, %DIR%/a.test-ec.crt]
            ssl-certificate-key: [%DIR%/a.test.key, %DIR%/a.test-ec.key]""";

    @Test
    void oneFileMayHoldTheKeyAndTheCertificateAsNginxAllows() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("""
                ssl-certificate: %DIR%/a.test.both.pem
                ssl-certificate-key: %DIR%/a.test.both.pem"""))) {
            assertThat(request(e.port(), p -> { }).keyType()).isEqualTo("RSA");
        }
    }

    @Test
    void anEd25519PairOrTwoPairsOfOneKeyTypeFailStartup() {
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(yaml("""
                ssl-certificate: [%DIR%/a.test.crt, %DIR%/a.test-ed.crt]
                ssl-certificate-key: [%DIR%/a.test.key, %DIR%/a.test-ed.key]"""))).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl-certificate")
                .hasMessageContaining("a.test-ed.crt holds a EdDSA certificate: the engine serves RSA and ECDSA ones");
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(yaml("""
                ssl-certificate: [%DIR%/a.test-ec.crt, %DIR%/a.test-p384.crt]
                ssl-certificate-key: [%DIR%/a.test-ec.key, %DIR%/a.test-p384.key]"""))).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl-certificate")
                .hasMessageContaining("are both EC: a server has one pair per key type");
    }

    @Test
    void aTls13ClientWhoseEcdsaSchemeNamesAnotherCurveGetsTheRsaPair() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("""
                ssl-certificate: [%DIR%/a.test-p384.crt, %DIR%/a.test.crt]
                ssl-certificate-key: [%DIR%/a.test-p384.key, %DIR%/a.test.key]"""))) {
            assertThat(sClient(e.port(), "ECDSA+SHA256:RSA-PSS+SHA256")).contains("Peer signature type: RSA-PSS");
            assertThat(sClient(e.port(), "ECDSA+SHA384:RSA-PSS+SHA256")).contains("Peer signature type: ECDSA");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void withAnRsaAndAnEcdsaPairTheClientGetsTheOneItsAlgorithmsName(boolean jdk) throws Exception {
        withProvider(jdk, () -> {
            try (TestEngine e = TestEngine.start(yaml(TWO_PAIRS))) {
                assertThat(request(e.port(), p -> { }).keyType()).as("the JDK client names ECDSA first").isEqualTo("EC");
                assertThat(request(e.port(), p -> {
                    p.setProtocols(new String[] {"TLSv1.2"});
                    p.setCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
                }).keyType()).isEqualTo("RSA");
                assertThat(request(e.port(), p -> {
                    p.setProtocols(new String[] {"TLSv1.2"});
                    p.setCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
                }).keyType()).isEqualTo("EC");
                if (!jdk) { // TLS 1.3 has no key type in its suites: only the signature algorithms tell
                    assertThat(sClient(e.port(), "RSA-PSS+SHA256")).contains("Peer signature type: RSA-PSS");
                    assertThat(sClient(e.port(), "ECDSA+SHA256")).contains("Peer signature type: ECDSA");
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void withTwoPairsATls12ClientGetsThePairOfTheSuiteTheServerPrefersUnlessItsOwnOrderDecides(boolean jdk)
            throws Exception {
        Consumer<SSLParameters> rsaFirst = p -> {
            p.setProtocols(new String[] {"TLSv1.2"});
            p.setCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"});
        };
        withProvider(jdk, () -> {
            try (TestEngine e = TestEngine.start(yaml(TWO_PAIRS + "\nssl-ciphers: \"HIGH:!aNULL:!MD5\""))) {
                Result r = request(e.port(), rsaFirst);
                assertThat(r.keyType()).as("the server's order (the default)").isEqualTo("EC");
                assertThat(r.cipher()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
            }
            try (TestEngine e = TestEngine.start(yaml(TWO_PAIRS
                    + "\nssl-ciphers: \"HIGH:!aNULL:!MD5\"\nssl-prefer-server-ciphers: off"))) {
                Result r = request(e.port(), rsaFirst);
                assertThat(r.keyType()).as("the client's order").isEqualTo("RSA");
                assertThat(r.cipher()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
            }
        });
    }

    /** openssl s_client over TLS 1.3 offering only {@code sigalgs}; its output. */
    static String sClient(int port, String sigalgs) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "a.test",
                "-tls1_3", "-sigalgs", sigalgs).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sslCiphersLimitsTls12AndTheServersOrderDecidesUnlessPreferServerCiphersIsOff(boolean jdk) throws Exception {
        String ciphers = PAIR + "ssl-ciphers: ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256";
        Consumer<SSLParameters> tls12 = p -> {
            p.setProtocols(new String[] {"TLSv1.2"});
            p.setCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"});
        };
        withProvider(jdk, () -> {
            try (TestEngine e = TestEngine.start(yaml(ciphers))) {
                assertThat(request(e.port(), tls12).body()).as("the default: the server's order")
                        .isEqualTo("TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 .");
                assertThatThrownBy(() -> request(e.port(), p -> {
                    p.setProtocols(new String[] {"TLSv1.2"});
                    p.setCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"});
                })).isInstanceOf(SSLHandshakeException.class);
                assertThat(request(e.port(), p -> { }).body()).as("TLS 1.3 keeps its suites").startsWith("TLSv1.3 TLS_");
            }
            try (TestEngine e = TestEngine.start(yaml(ciphers + "\nssl-prefer-server-ciphers: off"))) {
                assertThat(request(e.port(), tls12).body()).isEqualTo("TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 .");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sslCiphersTakesOpenSslsWordsAndFailsStartupWhenItSelectsNothing(boolean jdk) throws Exception {
        withProvider(jdk, () -> {
            assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(yaml(PAIR + "ssl-ciphers: CAMELLIA:!ALL")))
                    .build()).isInstanceOf(ConfigException.class).hasMessageContaining("servers[0]")
                    .hasMessageContaining("ssl-ciphers").hasMessageContaining("'CAMELLIA:!ALL' selects no TLS 1.2 cipher");
            assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(yaml(PAIR
                    + "ssl-ciphers: \"ECDHE-RSA-AES128-GCM-SHA265:HIGH\""))).build()) // a typo OpenSSL would skip
                    .isInstanceOf(ConfigException.class).hasMessageContaining("ssl-ciphers")
                    .hasMessageContaining("'ECDHE-RSA-AES128-GCM-SHA265' in 'ECDHE-RSA-AES128-GCM-SHA265:HIGH' is neither a cipher");
            // nginx's default, in OpenSSL's words; and the IANA name a Java user knows
            for (String ciphers : List.of("\"HIGH:!aNULL:!MD5\"", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "\"ECDHE+AESGCM:!AES128\"")) {
                try (TestEngine e = TestEngine.start(yaml(PAIR + "ssl-ciphers: " + ciphers))) {
                    assertThat(request(e.port(), p -> p.setProtocols(new String[] {"TLSv1.2"})).body()).as(ciphers)
                            .startsWith(ciphers.contains("HIGH") ? "TLSv1.2 ECDHE-RSA-" : "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384");
                }
            }
        });
    }

    /** Two requests over one client context, which offers the first connection's session on the second: {@code $ssl_session_reused} of each. */
    static List<String> twice(int port, Consumer<SSLParameters> tweak) throws Exception {
        SSLContext client = TestCertificates.clientContext();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String body = request(client, port, tweak).body();
            out.add(body.substring(body.lastIndexOf(' ') + 1));
        }
        return out;
    }

    static final Consumer<SSLParameters> TLS12 = p -> p.setProtocols(new String[] {"TLSv1.2"});
    static final Consumer<SSLParameters> TLS13 = p -> { };

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sessionsResumeFromTicketsByDefaultAndFromTheCacheWhenOneIsSet(boolean jdk) throws Exception {
        withProvider(jdk, () -> {
            try (TestEngine e = TestEngine.start(yaml(PAIR))) { // nginx's defaults: no cache, tickets on
                assertThat(twice(e.port(), TLS13)).containsExactly(".", "r");
                assertThat(twice(e.port(), TLS12)).containsExactly(".", "r");
            }
            if (!jdk) { // the JDK's provider turns tickets off only for the whole JVM
                try (TestEngine e = TestEngine.start(yaml(PAIR + "ssl-session-tickets: off"))) {
                    assertThat(twice(e.port(), TLS13)).containsExactly(".", ".");
                    assertThat(twice(e.port(), TLS12)).containsExactly(".", ".");
                }
                try (TestEngine e = TestEngine.start(yaml(PAIR + "ssl-session-tickets: off\nssl-session-cache: shared:SSL:1m"))) {
                    assertThat(twice(e.port(), TLS12)).as("resumed by session id").containsExactly(".", "r");
                }
            }
        });
    }

    @Test
    void aSessionOlderThanSslSessionTimeoutIsNotResumed() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(PAIR + "ssl-session-timeout: 1s"))) {
            SSLContext client = TestCertificates.clientContext();
            assertThat(request(client, e.port(), TLS12).body()).endsWith(" .");
            assertThat(request(client, e.port(), TLS12).body()).endsWith(" r");
            Thread.sleep(2100); // past the configured timeout, by its own measure
            assertThat(request(client, e.port(), TLS12).body()).endsWith(" .");
        }
    }

    @Test
    void aTls13TicketOlderThanSslSessionTimeoutIsNotResumed() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(PAIR + "ssl-session-timeout: 2s"))) {
            SSLContext client = TestCertificates.clientContext();
            assertThat(request(client, e.port(), TLS13).body()).endsWith(" .");
            assertThat(request(client, e.port(), TLS13).body()).endsWith(" r");
            Thread.sleep(3200); // the timeout, and the second in which the engine changes ticket keys
            assertThat(request(client, e.port(), TLS13).body()).endsWith(" .");
        }
    }

    @Test
    void ticketsOffWithTheJdkProviderFailsStartupSayingHow() throws Exception {
        withProvider(true, () -> assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(
                yaml(PAIR + "ssl-session-tickets: off"))).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl-session-tickets")
                .hasMessageContaining("-Djdk.tls.server.enableSessionTicketExtension=false"));
    }
}
