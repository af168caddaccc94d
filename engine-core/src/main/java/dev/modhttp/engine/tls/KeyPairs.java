package dev.modhttp.engine.tls;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ServerConfig;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A server's certificate and key pairs, read as nginx reads {@code ssl_certificate},
 * {@code ssl_certificate_key} and {@code ssl_password_file}: the n-th key belongs to the n-th
 * certificate chain; a key may be PEM in any form OpenSSL writes (PKCS#8, PKCS#1
 * {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}, each also encrypted), and an encrypted
 * key is tried with every line of the password file. Reading PEM keys is BouncyCastle's
 * (a kept library), not the engine's.
 *
 * <p>With several pairs (an RSA and an ECDSA one, say) each has its own server context, and
 * {@link #choose} picks one from the ClientHello.
 */
final class KeyPairs {

    /** Decrypts keys only; never installed as a JVM-wide provider. */
    private static final Provider BC = new BouncyCastleProvider();

    private KeyPairs() {
    }

    /**
     * One certificate chain and its key.
     *
     * @param type the key's type: {@code RSA} or {@code EC}
     * @param curveBits the size of an EC key's curve (256 for P-256); 0 for RSA
     */
    record Pair(PrivateKey key, X509Certificate[] chain, String type, int curveBits) {

        /**
         * The pair as key managers; for OpenSSL wrapped so that the key and chain are converted
         * to its form once, not in every handshake (which halves the handshakes per second).
         */
        KeyManagerFactory keyManagers(boolean openSsl) throws GeneralSecurityException, IOException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0]; // the store never leaves memory
            store.setKeyEntry("pair", key, password, chain);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return openSsl ? new OpenSslCachingX509KeyManagerFactory(factory) : factory;
        }

        /**
         * Whether this pair can sign a TLS 1.3 handshake with {@code scheme} of its type (RFC 8446
         * §4.2.3): an ECDSA scheme names its curve (0x0403 P-256, 0x0503 P-384, 0x0603 P-521).
         */
        boolean signs(int scheme) {
            return switch (scheme) {
                case 0x0403 -> curveBits == 256;
                case 0x0503 -> curveBits == 384;
                case 0x0603 -> curveBits == 521;
                default -> true; // RSA's schemes: any RSA key signs them
            };
        }
    }

    /**
     * Reads and checks every pair.
     *
     * @throws ConfigException naming the key ({@code ssl-certificate}, {@code ssl-certificate-key}
     *     or {@code ssl-password-file}) and the file: a file that cannot be read or holds no
     *     certificate or key, counts that differ, an encrypted key without a password that opens
     *     it, a key that does not belong to its certificate
     */
    static List<Pair> read(ServerConfig server, List<String> certificates, List<String> keyFiles, String passwordFile) {
        if (certificates.size() != keyFiles.size()) {
            throw new ConfigException(server.path(), "ssl-certificate-key", certificates.size() + " ssl-certificate but "
                    + keyFiles.size() + " ssl-certificate-key: each certificate needs its key, in the same order");
        }
        List<char[]> passwords = passwords(server, passwordFile);
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < certificates.size(); i++) {
            X509Certificate[] chain = chain(server, certificates.get(i));
            String type = typeOf(chain[0].getPublicKey().getAlgorithm());
            if (!type.equals("RSA") && !type.equals("EC")) {
                throw new ConfigException(server.path(), "ssl-certificate", certificates.get(i) + " holds a " + type
                        + " certificate: the engine serves RSA and ECDSA ones (what browsers accept; Netty's OpenSSL"
                        + " key selection knows no other)");
            }
            PrivateKey key = key(server, keyFiles.get(i), passwords, passwordFile);
            try {
                fits(chain[0], key);
            } catch (GeneralSecurityException e) {
                throw new ConfigException(server.path(), "ssl-certificate-key", "the key " + keyFiles.get(i)
                        + " does not belong to the certificate " + certificates.get(i) + " (" + e.getMessage() + ")", e);
            }
            for (int j = 0; j < pairs.size(); j++) {
                if (pairs.get(j).type().equals(type)) {
                    throw new ConfigException(server.path(), "ssl-certificate", certificates.get(j) + " and "
                            + certificates.get(i) + " are both " + type + ": a server has one pair per key type, the"
                            + " second would never be served");
                }
            }
            int curveBits = chain[0].getPublicKey() instanceof ECPublicKey ec
                    ? ec.getParams().getCurve().getField().getFieldSize() : 0;
            pairs.add(new Pair(jdkKey(chain[0], key), chain, type, curveBits));
        }
        return List.copyOf(pairs);
    }

    /** nginx's password file: one password per line, line ends and empty lines left out; none without a file. */
    private static List<char[]> passwords(ServerConfig server, String file) {
        if (file == null) {
            return List.of();
        }
        try {
            List<char[]> out = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                if (!line.isEmpty()) {
                    out.add(line.toCharArray());
                }
            }
            if (out.isEmpty()) {
                throw new ConfigException(server.path(), "ssl-password-file", file + " holds no password");
            }
            return out;
        } catch (IOException e) {
            throw new ConfigException(server.path(), "ssl-password-file", "cannot read " + Path.of(file).toAbsolutePath(), e);
        }
    }

    /** The certificates of a PEM file, in order; other blocks (a key beside them, as nginx allows) are passed over. */
    private static X509Certificate[] chain(ServerConfig server, String file) {
        try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(in)) {
            List<X509Certificate> out = new ArrayList<>();
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object pem = parser.readObject(); pem != null; pem = parser.readObject()) {
                if (pem instanceof X509CertificateHolder holder) {
                    out.add(converter.getCertificate(holder));
                }
            }
            if (out.isEmpty()) {
                throw new ConfigException(server.path(), "ssl-certificate", file + " holds no PEM certificate");
            }
            return out.toArray(new X509Certificate[0]);
        } catch (ConfigException e) {
            throw e;
        } catch (GeneralSecurityException | IOException | RuntimeException e) { // BouncyCastle's decoders throw unchecked too
            throw new ConfigException(server.path(), "ssl-certificate", "cannot read the certificates of " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** The first private key of a PEM file, decrypted with the first password that opens it. */
    private static PrivateKey key(ServerConfig server, String file, List<char[]> passwords, String passwordFile) {
        Object pem;
        try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(in)) {
            do {
                pem = parser.readObject(); // skips what is not a key, such as EC PARAMETERS
            } while (pem != null && !(pem instanceof PrivateKeyInfo || pem instanceof PEMKeyPair
                    || pem instanceof PEMEncryptedKeyPair || pem instanceof PKCS8EncryptedPrivateKeyInfo));
        } catch (IOException | RuntimeException e) { // BouncyCastle's decoders throw unchecked too
            throw new ConfigException(server.path(), "ssl-certificate-key", "cannot read the key " + Path.of(file)
                    .toAbsolutePath() + ": " + e.getMessage(), e);
        }
        if (pem == null) {
            throw new ConfigException(server.path(), "ssl-certificate-key", file + " holds no PEM private key");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (pem instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (pem instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
        } catch (IOException e) {
            throw new ConfigException(server.path(), "ssl-certificate-key", "cannot use the key in " + file + ": "
                    + e.getMessage(), e);
        }
        if (passwords.isEmpty()) {
            throw new ConfigException(server.path(), "ssl-certificate-key", "the key in " + file
                    + " is encrypted: name the file of its password in ssl-password-file");
        }
        Exception last = null;
        for (char[] password : passwords) {
            try {
                if (pem instanceof PEMEncryptedKeyPair encrypted) {
                    return converter.getKeyPair(encrypted.decryptKeyPair(
                            new JcePEMDecryptorProviderBuilder().setProvider(BC).build(password))).getPrivate();
                }
                return converter.getPrivateKey(((PKCS8EncryptedPrivateKeyInfo) pem).decryptPrivateKeyInfo(
                        new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password)));
            } catch (Exception e) { // a wrong password: BouncyCastle throws what its decryptor met; try the next
                last = e;
            }
        }
        throw new ConfigException(server.path(), "ssl-password-file", "none of the " + passwords.size()
                + " password(s) in " + passwordFile + " decrypts the key in " + file + " (the last attempt: " + last + ")",
                last);
    }

    /** The key as the JDK's own provider holds it (BouncyCastle's converter may name EC keys ECDSA). */
    private static PrivateKey jdkKey(X509Certificate certificate, PrivateKey key) {
        try {
            return KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot hold a " + key.getAlgorithm() + " key", e);
        }
    }

    /** A key algorithm as the pair's type. */
    private static String typeOf(String algorithm) {
        return algorithm.equals("ECDSA") ? "EC" : algorithm.startsWith("Ed") ? "EdDSA" : algorithm;
    }

    /**
     * The pair a handshake takes, as OpenSSL chooses among several certificates: with TLS 1.3
     * the first pair whose type the client's signature algorithms name, in the client's order;
     * with TLS 1.2 and older the type of the first suite the server prefers among those the
     * client offers ({@code ssl-prefer-server-ciphers}), else the first type the client's suites
     * name, in its order; the first pair when the client names none.
     *
     * @param tls13 whether the handshake will be TLS 1.3 (client and server allow it)
     * @param serverOrder the IANA codes of the server's TLS 1.2 suites in its order when it
     *     prefers its own; empty when the client's order decides
     */
    static int choose(List<Pair> pairs, ClientHello hello, boolean tls13, List<Integer> serverOrder) {
        if (pairs.size() > 1 && !tls13) {
            for (int code : serverOrder) {
                String type = hello.cipherSuites().contains(code) ? ClientHello.suiteKeyType(code) : null;
                for (int i = 0; type != null && i < pairs.size(); i++) {
                    if (pairs.get(i).type().equals(type)) {
                        return i;
                    }
                }
            }
        }
        if (pairs.size() > 1) {
            for (int code : tls13 ? hello.signatureSchemes() : hello.cipherSuites()) {
                String type = tls13 ? ClientHello.schemeKeyType(code) : ClientHello.suiteKeyType(code);
                for (int i = 0; type != null && i < pairs.size(); i++) {
                    if (pairs.get(i).type().equals(type) && (!tls13 || pairs.get(i).signs(code))) {
                        return i;
                    }
                }
            }
        }
        return 0;
    }

    /**
     * Checks that the key signs what the certificate's public key verifies (the JDK provider
     * would only find out in the first handshake).
     */
    private static void fits(X509Certificate certificate, PrivateKey key) throws GeneralSecurityException {
        String algorithm = certificate.getPublicKey().getAlgorithm();
        if (!algorithm.equals(key.getAlgorithm()) && !(algorithm.equals("EC") && key.getAlgorithm().equals("ECDSA"))) {
            throw new GeneralSecurityException("a " + key.getAlgorithm() + " key for a " + algorithm + " certificate");
        }
        String signing = algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA"; // the two types read() takes
        byte[] probe = "modhttp".getBytes(StandardCharsets.US_ASCII);
        Signature sign = Signature.getInstance(signing);
        sign.initSign(key);
        sign.update(probe);
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance(signing);
        verify.initVerify(certificate.getPublicKey());
        verify.update(probe);
        if (!verify.verify(signature)) {
            throw new GeneralSecurityException("its signatures do not verify with the certificate's public key");
        }
    }
}
