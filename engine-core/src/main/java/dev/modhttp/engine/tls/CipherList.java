package dev.modhttp.engine.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * nginx's {@code ssl_ciphers} string, read as OpenSSL reads a cipher list (openssl-ciphers(1)):
 * elements separated by {@code :} (or space, comma, semicolon), each a suite name or aliases
 * joined by {@code +} (all must hold), prefixed by nothing (add, in OpenSSL's default order),
 * {@code -} (remove; may be added again), {@code !} (remove for good) or {@code +} (move to the
 * end); {@code @STRENGTH} sorts by key length; {@code DEFAULT} first stands for OpenSSL's
 * default list (elsewhere it names nothing, as in OpenSSL). A word OpenSSL knows but that names nothing the
 * engine's providers speak (RC4, DSS, PSK, CAMELLIA, ...) matches nothing, as in OpenSSL; a
 * word OpenSSL does not know either is refused (OpenSSL would skip it: a typo would then
 * silently leave a suite out).
 *
 * <p>The suites are the TLS 1.2-and-older ones OpenSSL (BoringSSL) or the JDK's provider can
 * serve, in OpenSSL 3's default order; why it is written here: Netty passes OpenSSL only suite
 * names, and the JDK has no such language.
 */
final class CipherList {

    /**
     * One suite with the attributes the aliases test.
     *
     * @param kx {@code ECDHE}, {@code DHE} or {@code RSA}
     * @param au {@code ECDSA} or {@code RSA}
     * @param enc {@code AES128}, {@code AES256}, {@code AES128GCM}, {@code AES256GCM} or {@code CHACHA20}
     * @param mac {@code AEAD}, {@code SHA1}, {@code SHA256} or {@code SHA384}
     * @param version the protocol the suite came with: {@code TLSv1.2}, {@code TLSv1} or {@code SSLv3}
     */
    record Suite(String name, String kx, String au, String enc, String mac, String version, int bits) {

        static Suite of(String name) {
            String kx = name.startsWith("ECDHE-") ? "ECDHE" : name.startsWith("DHE-") ? "DHE" : "RSA";
            String enc = name.contains("CHACHA20") ? "CHACHA20" : (name.contains("AES256") ? "AES256" : "AES128")
                    + (name.contains("-GCM-") ? "GCM" : "");
            String mac = name.contains("-GCM-") || name.contains("CHACHA20") ? "AEAD" : name.endsWith("-SHA") ? "SHA1"
                    : name.substring(name.lastIndexOf('-') + 1);
            String version = !mac.equals("SHA1") ? "TLSv1.2" : kx.equals("ECDHE") ? "TLSv1" : "SSLv3";
            return new Suite(name, kx, name.contains("ECDSA") ? "ECDSA" : "RSA", enc, mac, version,
                    enc.startsWith("AES128") ? 128 : 256);
        }
    }

    /** OpenSSL 3's default order (openssl ciphers -v ALL), restricted to what the providers serve. */
    static final List<Suite> SUITES = List.of("ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
            "DHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
            "DHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
            "DHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384", "DHE-RSA-AES256-SHA256",
            "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256", "DHE-RSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA",
            "ECDHE-RSA-AES256-SHA", "DHE-RSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA",
            "DHE-RSA-AES128-SHA", "AES256-GCM-SHA384", "AES128-GCM-SHA256", "AES256-SHA256", "AES128-SHA256", "AES256-SHA",
            "AES128-SHA").stream().map(Suite::of).toList();

    /** The IANA code of each of {@link #SUITES}, in the same order (openssl ciphers -V). */
    private static final int[] CODES = {0xC02C, 0xC030, 0x009F, 0xCCA9, 0xCCA8, 0xCCAA, 0xC02B, 0xC02F, 0x009E, 0xC024,
        0xC028, 0x006B, 0xC023, 0xC027, 0x0067, 0xC00A, 0xC014, 0x0039, 0xC009, 0xC013, 0x0033, 0x009D, 0x009C, 0x003D,
        0x003C, 0x0035, 0x002F};

    /** The IANA code of a suite OpenSSL names {@code name}; -1 for one not in {@link #SUITES}. */
    static int code(String name) {
        for (int i = 0; i < SUITES.size(); i++) {
            if (SUITES.get(i).name().equals(name)) {
                return CODES[i];
            }
        }
        return -1;
    }

    /** Every word OpenSSL's format knows: aliases and suite names, from a resource beside this class. */
    private static final Set<String> WORDS = words();

    private CipherList() {
    }

    private static Set<String> words() {
        try (InputStream in = CipherList.class.getResourceAsStream("openssl-cipher-words.txt")) {
            Set<String> out = new HashSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.trim());
                }
            }
            return Set.copyOf(out);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the engine's jar lacks openssl-cipher-words.txt", e);
        }
    }

    /** The words of {@code text} OpenSSL would not know, in their order; none for a valid list. */
    static List<String> unknownWords(String text) {
        List<String> out = new ArrayList<>();
        for (String element : text.trim().replace("@", ":@").split("[:, ;]+")) {
            if (element.isEmpty() || element.equals("@STRENGTH") || element.startsWith("@SECLEVEL=")) {
                continue;
            }
            for (String word : element.replaceFirst("^[!+-]", "").split("\\+")) {
                if (!WORDS.contains(word) && !TLS13_NAMES.contains(word)) {
                    out.add(word);
                }
            }
        }
        return out;
    }

    /** TLS 1.3's suites, which a TLS 1.2 list may name and OpenSSL then leaves aside. */
    private static final Set<String> TLS13_NAMES = Set.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256");

    /** The suites {@code text} selects, in its order, as OpenSSL names them. */
    static List<String> select(String text) {
        List<Suite> list = new ArrayList<>(SUITES); // all inactive, in the default order
        Set<Suite> active = new HashSet<>();
        String rules = text.trim().replace("@", ":@"); // a command may follow a word directly: DEFAULT@SECLEVEL=2
        if (rules.startsWith("DEFAULT")) { // only where the string starts: OpenSSL's default list, then the rest
            rules = "ALL" + rules.substring(7);
        }
        for (String element : rules.split("[:, ;]+")) {
            if (element.isEmpty()) {
                continue;
            }
            if (element.startsWith("@")) {
                if (element.equals("@STRENGTH")) { // stable: equal strengths keep their order
                    List<Suite> sorted = list.stream().filter(active::contains)
                            .sorted(Comparator.comparingInt(Suite::bits).reversed()).toList();
                    list.removeAll(sorted);
                    list.addAll(sorted);
                }
                continue; // @SECLEVEL and the like change nothing here
            }
            char op = element.charAt(0);
            Predicate<Suite> match = match(op == '!' || op == '-' || op == '+' ? element.substring(1) : element);
            List<Suite> hit = list.stream().filter(match).toList();
            switch (op) {
                case '!' -> { // gone for good
                    list.removeAll(hit);
                    hit.forEach(active::remove);
                }
                case '-' -> { // inactive, and first in line should it be added again
                    List<Suite> off = hit.stream().filter(active::contains).toList();
                    list.removeAll(off);
                    list.addAll(0, off);
                    off.forEach(active::remove);
                }
                case '+' -> { // active ones to the end
                    List<Suite> moved = hit.stream().filter(active::contains).toList();
                    list.removeAll(moved);
                    list.addAll(moved);
                }
                default -> { // inactive ones added at the end
                    List<Suite> added = hit.stream().filter(s -> !active.contains(s)).toList();
                    list.removeAll(added);
                    list.addAll(added);
                    active.addAll(added);
                }
            }
        }
        return list.stream().filter(active::contains).map(Suite::name).toList();
    }

    /** What an element's {@code +}-joined words select together. */
    private static Predicate<Suite> match(String words) {
        Predicate<Suite> all = s -> true;
        for (String word : words.split("\\+")) {
            all = all.and(alias(word));
        }
        return all;
    }

    private static Predicate<Suite> alias(String word) {
        for (Suite s : SUITES) {
            if (s.name().equals(word)) {
                return s::equals;
            }
        }
        return switch (word) {
            case "ALL", "HIGH" -> s -> true; // every suite here is HIGH in OpenSSL 3
            case "kRSA" -> s -> s.kx().equals("RSA");
            case "RSA" -> s -> s.kx().equals("RSA") && s.au().equals("RSA");
            case "aRSA" -> s -> s.au().equals("RSA");
            case "kEDH", "kDHE", "DH", "EDH", "DHE" -> s -> s.kx().equals("DHE");
            case "kEECDH", "kECDHE", "ECDH", "EECDH", "ECDHE" -> s -> s.kx().equals("ECDHE");
            case "aECDSA", "ECDSA" -> s -> s.au().equals("ECDSA");
            case "AES" -> s -> s.enc().startsWith("AES");
            case "AES128", "AES256" -> s -> s.enc().startsWith(word);
            case "AESGCM" -> s -> s.enc().endsWith("GCM");
            case "CHACHA20" -> s -> s.enc().equals("CHACHA20");
            case "SHA1", "SHA" -> s -> s.mac().equals("SHA1");
            case "SHA256", "SHA384" -> s -> s.mac().equals(word);
            case "TLSv1.2", "SSLv3" -> s -> s.version().equals(word);
            case "TLSv1", "TLSv1.0" -> s -> s.version().equals("TLSv1");
            case "FIPS" -> s -> !s.enc().equals("CHACHA20");
            default -> s -> false; // a word that names nothing here (or nothing at all): OpenSSL skips it too
        };
    }
}
