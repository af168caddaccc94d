package dev.modhttp.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.TestCertificates;
import dev.modhttp.engine.test.TestEngine;
import dev.modhttp.engine.test.TlsEndClient;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS on a listen with {@code ssl}: the certificate chosen by SNI among the servers of the
 * socket (the default server's without a match), the request then served by Host, and the
 * variables and redirects that know the scheme. Certificates are made by openssl for the run.
 */
@Timeout(60)
class TlsTests {

    static Path dir;
    static TrustManagerFactory trust;

    @BeforeAll
    static void certificates() throws Exception {
        dir = TestCertificates.dir();
        trust = TestCertificates.trust();
    }

    static String yaml(String extra) {
        return """
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                    server-names: [a.test]
                    ssl-certificate: %1$s/a.test.crt
                    ssl-certificate-key: %1$s/a.test.key
                    %2$s
                    locations:
                      - location: /
                        return: "200 a $scheme $https $ssl_server_name $ssl_protocol"
                      - location: /moved
                        return: "301 /new"
                  - listen: ["127.0.0.1:0 ssl"]
                    server-names: [b.test, "*.b.test"]
                    ssl-certificate: %1$s/b.test.crt
                    ssl-certificate-key: %1$s/b.test.key
                    locations:
                      - location: /
                        return: "200 b $scheme $https $ssl_server_name"
                """.formatted(dir, extra);
    }

    /** One request over TLS: the certificate's subject, then the response as text. */
    record Exchange(String subject, String protocol, String response) {
    }

    static Exchange request(int port, String sni, String host, String path) throws Exception {
        // a fresh one per request: the JDK client resumes a cached session with the SNI name it had then
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            s.setSSLParameters(params);
            s.startHandshake();
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            s.getInputStream().transferTo(response);
            return new Exchange(cert.getSubjectX500Principal().getName(), s.getSession().getProtocol(),
                    response.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void theHandshakeTakesTheCertificateOfTheServerTheSniNameSelects() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(""))) {
            Exchange b = request(e.port(), "b.test", "b.test", "/");
            assertThat(b.subject()).isEqualTo("CN=b.test");
            assertThat(b.response()).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nb https on b.test");
            Exchange wildcard = request(e.port(), "www.b.test", "b.test", "/");
            assertThat(wildcard.subject()).isEqualTo("CN=b.test");
            Exchange a = request(e.port(), "a.test", "a.test", "/");
            assertThat(a.subject()).isEqualTo("CN=a.test");
            assertThat(a.response()).endsWith("\r\n\r\na https on a.test " + a.protocol());
            assertThat(a.protocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void withoutSniOrWithAnUnknownNameTheDefaultServersCertificateServesAndHostStillChooses() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(""))) {
            Exchange none = request(e.port(), null, "b.test", "/");
            assertThat(none.subject()).isEqualTo("CN=a.test");
            assertThat(none.response()).endsWith("\r\n\r\nb https on "); // nginx: the request picks its server by Host
            Exchange unknown = request(e.port(), "c.test", "c.test", "/");
            assertThat(unknown.subject()).isEqualTo("CN=a.test");
            assertThat(unknown.response()).endsWith("\r\n\r\na https on c.test TLSv1.3");
        }
    }

    @Test
    void aConnectionThatEndsAfterItsResponseSendsCloseNotifyBeforeItsLingeringClose() throws Exception {
        // nginx: SSL_shutdown, then shutdown(SHUT_WR) and the lingering close; without close_notify a client
        // cannot tell a response read to the connection's end from a cut one (curl: "unexpected eof while reading")
        try (TestEngine e = TestEngine.start(yaml("lingering-timeout: 30s"))) {
            TlsEndClient.Ending end = TlsEndClient.exchange(e.port(), "a.test", null,
                    "GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 10);
            assertThat(new String(end.received(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200 ")
                    .contains("\r\nConnection: close\r\n").endsWith("\r\n\r\na https on a.test TLSv1.3");
            assertThat(end.closeNotify()).as("close_notify, then the end of the stream").isTrue();
        }
    }

    @Test
    void aRedirectKeepsTheHttpsScheme() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(""))) {
            String response = request(e.port(), "a.test", "a.test", "/moved").response();
            assertThat(response).startsWith("HTTP/1.1 301 ").contains("\r\nLocation: https://a.test:" + e.port() + "/new\r\n");
        }
    }

    /** One request with a client certificate ({@code client}, {@code rogue}, or none); the response as text. */
    static String withClientCertificate(int port, String certificate, String path) throws Exception {
        SSLContext c = certificate == null ? TestCertificates.clientContext() : TestCertificates.clientContext(certificate);
        try (SSLSocket s = (SSLSocket) c.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            s.getInputStream().transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    static String mutual(String mode, String extra) {
        return """
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                    ssl-certificate: %1$s/localhost.crt
                    ssl-certificate-key: %1$s/localhost.key
                    ssl-verify-client: %2$s
                    %3$s
                    error-page: ["496 =403 /need-certificate"]
                    locations:
                      - location: /
                        return: "200 [$ssl_client_verify] [$ssl_client_s_dn] [$ssl_client_fingerprint]"
                      - location: = /need-certificate
                        return: "403 send a certificate"
                """.formatted(dir, mode, extra);
    }

    @Test
    void sslVerifyClientOnAsksForACertificateTheCaSignedAndAnswers495And496AsNginx() throws Exception {
        String fingerprint = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(
                ((X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                        java.nio.file.Files.newInputStream(dir.resolve("client.crt")))).getEncoded()));
        try (TestEngine e = TestEngine.start(mutual("on", "ssl-client-certificate: " + dir.resolve("ca.crt")))) {
            assertThat(withClientCertificate(e.port(), "client", "/"))
                    .startsWith("HTTP/1.1 200 ").endsWith("[SUCCESS] [O=modhttp,CN=client] [" + fingerprint + "]");
            // the handshake names test-ca as the acceptable issuer: a JDK client holding only the rogue
            // certificate sends none, and 496 reaches error-page as nginx's own status
            assertThat(withClientCertificate(e.port(), "rogue", "/")).startsWith("HTTP/1.1 403 ").endsWith("send a certificate");
        }
        // a CA that is trusted but not named: the client sends its certificate whoever signed it
        try (TestEngine e = TestEngine.start(mutual("on", "ssl-trusted-certificate: " + dir.resolve("ca.crt")))) {
            String untrusted = withClientCertificate(e.port(), "rogue", "/");
            assertThat(untrusted).startsWith("HTTP/1.1 400 Bad Request").contains("The SSL certificate error")
                    .contains("Connection: close");
            // 496 reaches error-page as nginx's own status
            assertThat(withClientCertificate(e.port(), null, "/")).startsWith("HTTP/1.1 403 ").endsWith("send a certificate");
        }
    }

    @Test
    void optionalTakesRequestsWithoutACertificateAndOptionalNoCaAlsoUnverifiedOnes() throws Exception {
        try (TestEngine e = TestEngine.start(mutual("optional", "ssl-trusted-certificate: " + dir.resolve("ca.crt")))) {
            assertThat(withClientCertificate(e.port(), null, "/")).startsWith("HTTP/1.1 200 ").endsWith("[NONE] [] []");
            assertThat(withClientCertificate(e.port(), "client", "/")).contains("[SUCCESS] [O=modhttp,CN=client]");
            assertThat(withClientCertificate(e.port(), "rogue", "/")).startsWith("HTTP/1.1 400 ");
        }
        try (TestEngine e = TestEngine.start(mutual("optional_no_ca", ""))) {
            assertThat(withClientCertificate(e.port(), "rogue", "/")).startsWith("HTTP/1.1 200 ")
                    .contains("[FAILED:").contains("[CN=rogue]");
        }
    }

    @Test
    void sslVerifyClientWithoutACaFileFailsStartupNamingTheKey() {
        assertThatThrownBy(() -> TestEngine.start(mutual("on", "")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl-client-certificate")
                .hasMessageContaining("ssl-verify-client on needs ssl-client-certificate or ssl-trusted-certificate");
    }

    /** Replaces a file's content and moves its time on, so that a change is seen however fast the test runs. */
    static void rewrite(Path file, byte[] content, int step) throws IOException {
        java.nio.file.Files.write(file, content);
        java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() + step * 2000L));
    }

    @Test
    void aChangedCertificateServesNewHandshakesAndABrokenOneIsRefusedWhileTheOldKeepsServing(
            @org.junit.jupiter.api.io.TempDir Path live) throws Exception {
        Path crt = live.resolve("live.crt");
        Path key = live.resolve("live.key");
        java.nio.file.Files.copy(dir.resolve("a.test.crt"), crt);
        java.nio.file.Files.copy(dir.resolve("a.test.key"), key);
        MemoryAppender.clear();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                    ssl-certificate: %s
                    ssl-certificate-key: %s
                    locations:
                      - location: /
                        return: "200 live"
                """.formatted(crt, key))) {
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, trust.getTrustManagers(), null);
            try (SSLSocket open = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", e.port())) {
                open.setSoTimeout(10_000);
                assertThat(keepAliveRequest(open)).endsWith("live");
                rewrite(key, java.nio.file.Files.readAllBytes(dir.resolve("b.test.key")), 1);
                rewrite(crt, java.nio.file.Files.readAllBytes(dir.resolve("b.test.crt")), 2);
                // checked every second: within a few the new pair serves new handshakes
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
                while (!request(e.port(), null, "h", "/").subject().equals("CN=b.test") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(request(e.port(), null, "h", "/").subject()).isEqualTo("CN=b.test");
                // the connection opened before goes on with its own session
                assertThat(keepAliveRequest(open)).endsWith("live");
                assertThat(((X509Certificate) open.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                        .getName()).isEqualTo("CN=a.test");
            }
            rewrite(crt, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n"
                    .getBytes(StandardCharsets.US_ASCII), 3);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (MemoryAppender.lines().stream().noneMatch(l -> l.contains("refused") && l.contains(crt.toString()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(MemoryAppender.lines()).anyMatch(l -> l.contains("the changed certificate is refused, the one in use"
                    + " keeps serving") && l.contains(crt.toString()));
            assertThat(request(e.port(), null, "h", "/").subject()).isEqualTo("CN=b.test");
        }
    }

    /** One request on an open TLS connection that stays open; the response's body. */
    static String keepAliveRequest(SSLSocket s) throws IOException {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        java.io.InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.append((char) b);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Content-Length: (\\d+)").matcher(head);
        assertThat(m.find()).isTrue();
        return new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
    }

    @Test
    void sslProtocolsLimitWhatTheHandshakeMayAgree() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("ssl-protocols: [TLSv1.2]"))) {
            Exchange a = request(e.port(), "a.test", "a.test", "/");
            assertThat(a.protocol()).isEqualTo("TLSv1.2");
            assertThat(a.response()).endsWith(" TLSv1.2");
        }
    }

    @Test
    void aFailedHandshakeClosesOnlyItsConnectionAndIsCounted() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(""))) {
            try (Socket garbage = new Socket("127.0.0.1", e.port())) {
                garbage.setSoTimeout(10_000);
                // a TLS record header (handshake, TLS 1.0) followed by bytes that are no ClientHello
                garbage.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8});
                garbage.getOutputStream().flush();
                java.io.InputStream in = garbage.getInputStream();
                byte[] b = new byte[512];
                while (in.read(b) >= 0) {
                    // an alert, then the close
                }
            }
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
            while (e.engine().status().tlsHandshakesFailed() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(e.engine().status().tlsHandshakesFailed()).isEqualTo(1);
            assertThat(request(e.port(), "a.test", "a.test", "/").response()).startsWith("HTTP/1.1 200 ");
            assertThat(e.engine().status().tlsHandshakesFailed()).isEqualTo(1);
        }
    }

    /** The cipher openssl s_client agrees with the server offering only {@code cipher} over TLS 1.2; "" when refused. */
    static String agreed(int port, String cipher) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_2", "-cipher", cipher)
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Cipher is (\\S+)").matcher(out);
        return m.find() && !m.group(1).equals("(NONE)") ? m.group(1) : "";
    }

    @Test
    void tls12OffersOnlyAeadCiphersUnlessOlderProtocolsAreAllowed() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(""))) {
            assertThat(agreed(e.port(), "ECDHE-RSA-AES128-GCM-SHA256")).isEqualTo("ECDHE-RSA-AES128-GCM-SHA256");
            assertThat(agreed(e.port(), "ECDHE-RSA-AES128-SHA")).as("CBC refused").isEmpty();
        }
        try (TestEngine e = TestEngine.start(yaml("ssl-protocols: [TLSv1.1, TLSv1.2]"))) {
            assertThat(agreed(e.port(), "ECDHE-RSA-AES128-SHA")).isEqualTo("ECDHE-RSA-AES128-SHA");
        }
    }

    static String plain(int port, String request) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(plain.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void plainHttpOnATlsPortGetsNginxs400PageAndTheConnectionCloses() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(""))) {
            String response = plain(e.port(), "GET /x?y HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("\r\nConnection: close\r\n")
                    .contains("\r\nContent-Type: text/html\r\n")
                    .endsWith("\r\n\r\n<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>"
                            + "\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n"
                            + "<center>The plain HTTP request was sent to HTTPS port</center>\r\n<hr><center>modhttp</center>"
                            + "\r\n</body>\r\n</html>\r\n");
            assertThat(request(e.port(), "a.test", "a.test", "/").response()).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void anErrorPageFor497SendsPlainHttpClientsToHttps() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("error-page: [\"497 https://a.test/\"]"))) {
            String response = plain(e.port(), "GET /x HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 302 ")
                    .contains("\r\nLocation: https://a.test/\r\n").contains("\r\nConnection: close\r\n");
        }
    }

    @Test
    void aServerListeningWithSslNeedsACertificateAndAKeyItCanRead() {
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml("""
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                """)).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("servers[0]").hasMessageContaining("ssl-certificate")
                .hasMessageContaining("a server listening with ssl needs ssl-certificate");
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml("""
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                    ssl-certificate: %1$s/missing.crt
                    ssl-certificate-key: %1$s/a.test.key
                """.formatted(dir))).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl-certificate").hasMessageContaining("cannot read").hasMessageContaining("missing.crt");
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml("""
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                    ssl-certificate: %1$s/a.test.crt
                    ssl-certificate-key: %1$s/b.test.key
                """.formatted(dir))).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl-certificate").hasMessageContaining("b.test.key");
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml("""
                ssl-protocols: [SSLv3]
                servers:
                  - listen: ["127.0.0.1:0"]
                """)).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl-protocols").hasMessageContaining("SSLv3");
    }

    @Test
    void openSslServesWhereItLoadsAndTheJdkProviderWhenAskedFor() throws Exception {
        EngineConfig config = EngineConfig.load(TestEngine.yaml(yaml("")), Engine.builder().configs(), "8080");
        // this build's test classpath has netty-tcnative-boringssl-static (linux-x86_64 among its natives)
        assertThat(OpenSsl.isAvailable()).as("OpenSSL loads here: " + OpenSsl.unavailabilityCause()).isTrue();
        assertThat(TlsContexts.build(config, null).provider()).isEqualTo(SslProvider.OPENSSL);
        System.setProperty(TlsContexts.PROVIDER_PROPERTY, "jdk");
        try {
            assertThat(TlsContexts.build(config, null).provider()).isEqualTo(SslProvider.JDK);
            try (TestEngine e = TestEngine.start(yaml(""))) {
                Exchange b = request(e.port(), "b.test", "b.test", "/");
                assertThat(b.subject()).isEqualTo("CN=b.test");
                assertThat(b.response()).endsWith("\r\n\r\nb https on b.test");
                assertThat(request(e.port(), null, "a.test", "/").subject()).isEqualTo("CN=a.test");
            }
        } finally {
            System.clearProperty(TlsContexts.PROVIDER_PROPERTY);
        }
    }
}
