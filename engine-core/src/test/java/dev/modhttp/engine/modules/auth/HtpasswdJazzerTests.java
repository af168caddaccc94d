package dev.modhttp.engine.modules.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the htpasswd reader (Jazzer): any file content is read, or refused
 * with an {@link IllegalArgumentException} naming the first bad line (one not UTF-8, or an entry
 * that is not {@code user:hash} of a supported hash; the lines before it read well); {@code verify}
 * never throws, whatever the user, password or stored hash. A known entry
 * put first ({@code {SHA}}, {@code {SSHA}} or bcrypt, chosen by the input's last byte) accepts its
 * password and only it.
 */
public class HtpasswdJazzerTests {

    private static final String USER = "fuzz-known";
    private static final String PASSWORD = "s3cret";
    private static final String[] KNOWN = {null, "{SHA}" + base64(sha1(PASSWORD, "")),
        "{SSHA}" + base64(sha1(PASSWORD, "salt"), "salt"), "$2y$04$Kjhba1MQfAEt8rgPun2pyeLW0ZN46EhKoTKWwFNB2f5359/Z/izfi"};
    private static final List<String> PASSWORDS = List.of("", PASSWORD, "pässwörd", "a".repeat(80), "\0", ":");
    /** bcrypt costs above this take too long for fuzzing: 2^cost rounds, by design. */
    private static final int MAX_COST = 5;
    private static final Path FILE = tempFile();
    private static final Path PART = tempFile();
    private static final Pattern LINE = Pattern.compile(Pattern.quote(FILE.toString()) + ":(\\d+)[ :]");

    @FuzzTest(maxDuration = "10s")
    void anyFileReadsOrNamesItsBadLineAndVerifyNeverThrows(FuzzedDataProvider data) throws IOException {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) throws IOException {
        int known = data.consumeInt(0, KNOWN.length - 1);
        byte[] content = data.consumeRemainingAsBytes();
        String text = new String(content, StandardCharsets.UTF_8);
        boolean withKnown = known > 0 && !text.contains(USER);
        byte[] file = withKnown ? concat((USER + ":" + KNOWN[known] + "\n").getBytes(StandardCharsets.UTF_8), content)
                : content;
        Files.write(FILE, file);
        Htpasswd users;
        try {
            users = Htpasswd.read(FILE);
        } catch (IllegalArgumentException refused) {
            Matcher m = LINE.matcher(refused.getMessage());
            assertThat(m.lookingAt()).as("\"%s\" names the line", refused.getMessage()).isTrue();
            List<String> lines = new String(file, StandardCharsets.ISO_8859_1).lines().toList(); // a char a byte
            int bad = Integer.parseInt(m.group(1));
            assertThat(bad).as("the line of \"%s\"", refused.getMessage()).isBetween(1, lines.size());
            byte[] line = lines.get(bad - 1).getBytes(StandardCharsets.ISO_8859_1);
            if (refused.getMessage().endsWith(" is not UTF-8")) {
                assertThat(utf8(line)).as("line %d, refused as not UTF-8", bad).isFalse();
            } else {
                assertThat(new String(line, StandardCharsets.UTF_8).strip()).as("a refused line").isNotEmpty()
                        .doesNotStartWith("#");
            }
            Files.writeString(PART, String.join("\n", lines.subList(0, bad - 1)), StandardCharsets.ISO_8859_1);
            assertThat(Htpasswd.read(PART).size()).as("the lines before line %d", bad).isLessThan(bad);
            return;
        }
        int n = 0;
        for (Map.Entry<String, String> e : entries(new String(file, StandardCharsets.UTF_8)).entrySet()) {
            if (cheap(e.getValue())) { // two checks an entry: bcrypt's are slow
                users.verify(e.getKey(), PASSWORDS.get(n++ % PASSWORDS.size()));
                users.verify(e.getKey(), e.getValue());
            }
        }
        if (withKnown) {
            assertThat(users.verify(USER, PASSWORD)).as("the password of %s", KNOWN[known]).isTrue();
            assertThat(users.verify(USER, PASSWORD + "!")).as("another password for %s", KNOWN[known]).isFalse();
        }
    }

    /** Users and hashes as the file lists them (the last of a name kept), at most eight. */
    private static Map<String, String> entries(String text) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (String line : text.lines().map(String::strip).toList()) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#") && entries.size() < 8) {
                String hash = line.substring(colon + 1);
                entries.put(line.substring(0, colon), hash.indexOf(':') < 0 ? hash : hash.substring(0, hash.indexOf(':')));
            }
        }
        return entries;
    }

    private static boolean utf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Whether checking a password against {@code hash} is quick: not a bcrypt hash of a high cost. */
    private static boolean cheap(String hash) {
        if (hash.length() != 60 || !hash.startsWith("$2")) {
            return true;
        }
        try {
            return Integer.parseInt(hash.substring(4, 6)) <= MAX_COST;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static byte[] sha1(String password, String salt) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(password.getBytes(StandardCharsets.UTF_8));
            md.update(salt.getBytes(StandardCharsets.UTF_8));
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(byte[] digest) {
        return Base64.getEncoder().encodeToString(digest);
    }

    private static String base64(byte[] digest, String salt) {
        return base64(concat(digest, salt.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Path tempFile() {
        try {
            Path p = Files.createTempFile("htpasswd-fuzz", ".txt");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
