package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * TLS the Spring Boot way: a server names a Spring Boot SSL bundle ({@code ssl-bundle}), a server
 * without {@code listen} follows {@code server.ssl.bundle} and {@code server.http2.enabled} on
 * {@code server.port}, a bundle Boot reloads serves new handshakes, and a bundle that does not
 * exist fails startup naming the property.
 */
@Timeout(120)
class EngineSslTests {

    @Configuration
    @EnableAutoConfiguration
    static class App {
    }

    @TempDir
    Path dir;

    static ConfigurableApplicationContext run(String... args) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        return app.run(args);
    }

    /** A self-signed pair for {@code cn} (also valid for localhost) in {@code dir}: NAME.crt and NAME.key. */
    static void pair(Path dir, String name, String cn) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".crt").toString(),
                "-days", "2", "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:localhost,DNS:" + cn)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl: " + out).isTrue();
    }

    SSLContext trusting(String... names) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        for (String name : names) {
            try (InputStream in = Files.newInputStream(dir.resolve(name + ".crt"))) {
                trusted.setCertificateEntry(name, CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    String[] bundle(String name) {
        return new String[] {"--spring.ssl.bundle.pem.web.keystore.certificate=file:" + dir.resolve(name + ".crt"),
            "--spring.ssl.bundle.pem.web.keystore.private-key=file:" + dir.resolve(name + ".key")};
    }

    /** GET https://localhost:{port}/ with the JDK client, trusting the certificates {@code trusted}. */
    HttpResponse<String> get(int port, String... trusted) throws Exception {
        return HttpClient.newBuilder().sslContext(trusting(trusted)).build().send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aServerNamesASpringSslBundleAndSpeaksHttp2() throws Exception {
        pair(dir, "one", "one.test");
        try (ConfigurableApplicationContext context = run(concat(bundle("one"),
                "--engine.servers[0].listen[0]=127.0.0.1:0 ssl", "--engine.servers[0].ssl-bundle=web",
                "--engine.servers[0].locations[0].location=/",
                "--engine.servers[0].locations[0].return=200 $server_protocol $scheme"))) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            HttpResponse<String> r = get(port, "one");
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).isEqualTo("HTTP/2.0 https");
        }
    }

    @Test
    void aServerWithoutListenFollowsServerSslBundleAndServerHttp2Enabled() throws Exception {
        pair(dir, "one", "one.test");
        try (ConfigurableApplicationContext context = run(concat(bundle("one"), "--server.port=0",
                "--server.ssl.bundle=web", "--server.http2.enabled=true", "--engine.servers[0].locations[0].location=/",
                "--engine.servers[0].locations[0].return=200 $https"))) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            HttpResponse<String> r = get(port, "one");
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).isEqualTo("on");
        }
    }

    @Test
    void aServerWithoutListenFollowsServerSslKeyStoreAsBootsServersDo() throws Exception {
        pair(dir, "one", "one.test");
        Process p = new ProcessBuilder("openssl", "pkcs12", "-export", "-in", dir.resolve("one.crt").toString(), "-inkey",
                dir.resolve("one.key").toString(), "-name", "web", "-out", dir.resolve("one.p12").toString(), "-passout",
                "pass:secret").redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).isTrue();
        try (ConfigurableApplicationContext context = run("--server.port=0",
                "--server.ssl.key-store=file:" + dir.resolve("one.p12"), "--server.ssl.key-store-type=PKCS12",
                "--server.ssl.key-store-password=secret", "--server.ssl.key-alias=web",
                "--engine.servers[0].locations[0].location=/", "--engine.servers[0].locations[0].return=200 $https $scheme")) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            HttpResponse<String> r = get(port, "one");
            assertThat(r.body()).isEqualTo("on https");
        }
    }

    @Test
    void aBundleBootReloadsServesNewHandshakes() throws Exception {
        pair(dir, "one", "one.test");
        pair(dir, "two", "two.test");
        Path crt = Files.copy(dir.resolve("one.crt"), dir.resolve("live.crt"));
        Path key = Files.copy(dir.resolve("one.key"), dir.resolve("live.key"));
        try (ConfigurableApplicationContext context = run(
                "--spring.ssl.bundle.pem.web.keystore.certificate=file:" + crt,
                "--spring.ssl.bundle.pem.web.keystore.private-key=file:" + key,
                "--spring.ssl.bundle.pem.web.reload-on-update=true", "--spring.ssl.bundle.watch.file.quiet-period=100ms",
                "--engine.servers[0].listen[0]=127.0.0.1:0 ssl", "--engine.servers[0].ssl-bundle=web",
                "--engine.servers[0].locations[0].location=/", "--engine.servers[0].locations[0].return=200 ok")) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            assertThat(subject(port)).isEqualTo("CN=one.test");
            Files.write(key, Files.readAllBytes(dir.resolve("two.key")));
            Files.write(crt, Files.readAllBytes(dir.resolve("two.crt")));
            Files.setLastModifiedTime(crt, FileTime.fromMillis(System.currentTimeMillis() + 2000));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!subject(port).equals("CN=two.test") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(subject(port)).isEqualTo("CN=two.test");
        }
    }

    /** The subject of the certificate a new handshake gets. */
    String subject(int port) throws Exception {
        try (SSLSocket s = (SSLSocket) trusting("one", "two").getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @Test
    void aBundleThatDoesNotExistFailsStartupNamingTheProperty() {
        Throwable failure = null;
        try (ConfigurableApplicationContext context = run("--engine.servers[0].listen[0]=127.0.0.1:0 ssl",
                "--engine.servers[0].ssl-bundle=nope", "--engine.servers[0].locations[0].location=/")) {
            assertThat(context).as("startup should fail").isNull();
        } catch (RuntimeException e) {
            failure = e;
        }
        while (failure != null && !(failure instanceof EngineConfigurationException)) {
            failure = failure.getCause();
        }
        assertThat(failure).isInstanceOf(EngineConfigurationException.class);
        EngineConfigurationException e = (EngineConfigurationException) failure;
        assertThat(e.property()).isEqualTo("engine.servers[0].ssl-bundle");
        assertThat(e.reason()).contains("no SSL bundle 'nope'");
    }
}
