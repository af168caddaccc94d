package dev.modhttp.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ssl-ciphers} read as OpenSSL reads it: the engine's selection and order against
 * {@code openssl ciphers} on the same string, restricted to the suites the engine knows, for
 * the strings nginx configurations carry and for generated ones.
 */
@Timeout(120)
class CipherListTests {

    static final List<String> COMMON = List.of("HIGH:!aNULL:!MD5", "EECDH+AESGCM:EDH+AESGCM",
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                    + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                    + "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
            "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS",
            "ALL:!RSA:+SHA1:@STRENGTH", "DEFAULT:-ECDHE:ECDHE+SHA384", "kEECDH+aECDSA:kEECDH:!SHA1", "AES256:AES128:-DHE:DHE",
            "FIPS:!kRSA", "TLSv1.2+AESGCM:TLSv1:SSLv3", "CHACHA20:AESGCM:+AES256", "DEFAULT@SECLEVEL=2",
            "HIGH:!aNULL@STRENGTH");

    static final List<String> WORDS = List.of("ALL", "HIGH", "DEFAULT", "MEDIUM", "ECDHE", "EECDH", "kEECDH", "ECDH",
            "DHE", "EDH", "kDHE", "DH", "RSA", "kRSA", "aRSA", "ECDSA", "aECDSA", "AES", "AES128", "AES256", "AESGCM",
            "CHACHA20", "SHA", "SHA1", "SHA256", "SHA384", "TLSv1.2", "TLSv1", "SSLv3", "aNULL", "eNULL", "MD5", "3DES",
            "FIPS", "ECDHE-RSA-AES128-GCM-SHA256", "AES256-SHA", "DHE-RSA-CHACHA20-POLY1305", "NOT-A-WORD");

    /** openssl's list for {@code text}, restricted to the suites the engine knows, in openssl's order. */
    static List<String> openssl(String text) throws Exception {
        Process p = new ProcessBuilder("openssl", "ciphers", "-tls1_2", text).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0) {
            return List.of(); // "no cipher match"
        }
        Set<String> known = CipherList.SUITES.stream().map(CipherList.Suite::name).collect(Collectors.toSet());
        List<String> mine = new ArrayList<>();
        for (String name : out.split(":")) {
            if (known.contains(name)) {
                mine.add(name);
            }
        }
        return mine;
    }

    @Test
    void everyWordOpenSslKnowsIsTakenAndATypoIsNot() {
        for (String s : COMMON) {
            assertThat(CipherList.unknownWords(s)).as(s).isEmpty();
        }
        assertThat(CipherList.unknownWords("!aNULL:EDH-RSA-DES-CBC3-SHA:+RC4:@STRENGTH:@SECLEVEL=1:TLS_AES_128_GCM_SHA256"))
                .isEmpty();
        assertThat(CipherList.unknownWords("HIGH:ECDHE-RSA-AES128-GCM-SHA265:!aNUL+MD5")).containsExactly(
                "ECDHE-RSA-AES128-GCM-SHA265", "aNUL");
    }

    @Test
    void theSuitesOfEveryStringAreOpenSslsInOpenSslsOrder() throws Exception {
        TestCertificates.dir(); // makes sure openssl is installed
        List<String> strings = new ArrayList<>(COMMON);
        Random random = new Random(14);
        String[] prefixes = {"", "", "!", "-", "+"};
        for (int i = 0; i < 200; i++) {
            StringBuilder b = new StringBuilder();
            int elements = 1 + random.nextInt(5);
            for (int j = 0; j < elements; j++) {
                b.append(j == 0 ? "" : ":").append(j == 0 ? "" : prefixes[random.nextInt(prefixes.length)]);
                b.append(WORDS.get(random.nextInt(WORDS.size())));
                if (random.nextInt(4) == 0) {
                    b.append('+').append(WORDS.get(random.nextInt(WORDS.size())));
                }
            }
            if (random.nextInt(8) == 0) {
                b.append(":@STRENGTH");
            }
            strings.add(b.toString());
        }
        List<String> differences = new ArrayList<>();
        for (String s : strings) {
            List<String> expected = openssl(s);
            List<String> actual = CipherList.select(s);
            if (!expected.equals(actual)) {
                differences.add(s + "\n  openssl: " + expected + "\n  engine:  " + actual);
            }
        }
        assertThat(differences).as(differences.size() + " of " + strings.size() + " differ").isEmpty();
    }
}
