package dev.modhttp.engine.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made by openssl once per test run: {@code a.test}, {@code b.test}
 * and {@code localhost} (also for 127.0.0.1), each as {@code NAME.crt} and {@code NAME.key} in
 * {@link #dir()}, and a trust manager that trusts exactly them. For client certificates: a CA
 * ({@code ca.crt}), a client it signed ({@code client}, CN=client) and a self-signed one
 * ({@code rogue}), each also as {@code NAME.p12} (password {@code secret}). The {@code a.test}
 * key also in the other forms OpenSSL writes: {@code a.test.pkcs1.key} (RSA PRIVATE KEY),
 * {@code a.test.enc.key} (encrypted PKCS#8), {@code a.test.legacy.key} (encrypted RSA PRIVATE
 * KEY), their password in {@code passwords} (after a wrong one), and key and certificate in one
 * file, {@code a.test.both.pem}; and more pairs for {@code a.test}: ECDSA P-256
 * {@code a.test-ec.crt} with its SEC1 key {@code a.test-ec.key}, P-384 {@code a.test-p384},
 * Ed25519 {@code a.test-ed}. Where openssl
 * is missing, Debian's package is installed (as root).
 */
public final class TestCertificates {

    private static Path dir;
    private static TrustManagerFactory trust;

    private TestCertificates() {
    }

    /** The directory holding the certificates and keys. */
    public static synchronized Path dir() throws Exception {
        if (dir == null) {
            make();
        }
        return dir;
    }

    public static synchronized TrustManagerFactory trust() throws Exception {
        dir();
        return trust;
    }

    /** A client context trusting the test certificates. */
    public static SSLContext clientContext() throws Exception {
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust().getTrustManagers(), null);
        return client;
    }

    /** A client context trusting the test certificates that presents the client certificate {@code name} (client, rogue). */
    public static SSLContext clientContext(String name) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir().resolve(name + ".p12"))) {
            keys.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "secret".toCharArray());
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(kmf.getKeyManagers(), trust().getTrustManagers(), null);
        return client;
    }

    private static void openssl(Path d, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(d.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl " + args[0] + ": " + out).isTrue();
    }

    private static void clientCertificates(Path d) throws Exception {
        openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=test-ca");
        openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
                "-subj", "/CN=client/O=modhttp");
        openssl(d, "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "client.crt", "-days", "2");
        openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rogue.key", "-out", "rogue.crt",
                "-days", "2", "-subj", "/CN=rogue");
        for (String name : List.of("client", "rogue")) {
            openssl(d, "pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-out", name + ".p12",
                    "-passout", "pass:secret");
        }
    }

    private static void keyForms(Path d) throws Exception {
        openssl(d, "rsa", "-in", "a.test.key", "-traditional", "-out", "a.test.pkcs1.key");
        openssl(d, "pkcs8", "-topk8", "-in", "a.test.key", "-out", "a.test.enc.key", "-passout", "pass:secret");
        openssl(d, "rsa", "-in", "a.test.key", "-aes128", "-traditional", "-passout", "pass:secret", "-out",
                "a.test.legacy.key");
        Files.writeString(d.resolve("passwords"), "wrong\n\nsecret\n");
        openssl(d, "ecparam", "-genkey", "-name", "prime256v1", "-out", "a.test-ec.key");
        openssl(d, "ecparam", "-genkey", "-name", "secp384r1", "-out", "a.test-p384.key");
        openssl(d, "req", "-x509", "-key", "a.test-p384.key", "-out", "a.test-p384.crt", "-days", "2", "-subj",
                "/CN=a.test", "-addext", "subjectAltName=DNS:a.test");
        openssl(d, "genpkey", "-algorithm", "ED25519", "-out", "a.test-ed.key");
        openssl(d, "req", "-x509", "-key", "a.test-ed.key", "-out", "a.test-ed.crt", "-days", "2", "-subj", "/CN=a.test");
        Files.writeString(d.resolve("a.test.both.pem"), Files.readString(d.resolve("a.test.key"))
                + Files.readString(d.resolve("a.test.crt")));
        openssl(d, "req", "-x509", "-key", "a.test-ec.key", "-out", "a.test-ec.crt", "-days", "2", "-subj", "/CN=a.test",
                "-addext", "subjectAltName=DNS:a.test");
    }

    private static void ensureOpenssl() throws Exception {
        try {
            if (new ProcessBuilder("openssl", "version").start().waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // not installed
        }
        Process p = new ProcessBuilder("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
                + "apt-get install -y -qq openssl").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0)
                .as("openssl is missing and apt-get could not install it:\n" + out).isTrue();
    }

    private static void make() throws Exception {
        ensureOpenssl();
        Path d = Files.createTempDirectory("modhttp-certs");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(d)));
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        for (String name : List.of("a.test", "b.test", "localhost")) {
            String san = name.equals("localhost") ? "DNS:localhost,IP:127.0.0.1" : "DNS:" + name;
            Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", d.resolve(name + ".key").toString(), "-out", d.resolve(name + ".crt").toString(),
                    "-days", "2", "-subj", "/CN=" + name, "-addext", "subjectAltName=" + san)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl: " + out).isTrue();
            try (InputStream in = Files.newInputStream(d.resolve(name + ".crt"))) {
                trusted.setCertificateEntry(name, CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
        }
        clientCertificates(d);
        keyForms(d);
        try (InputStream in = Files.newInputStream(d.resolve("a.test-ec.crt"))) {
            trusted.setCertificateEntry("a.test-ec", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory t = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        t.init(trusted);
        trust = t;
        dir = d;
    }

    private static void delete(Path d) {
        try (Stream<Path> files = Files.walk(d)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
