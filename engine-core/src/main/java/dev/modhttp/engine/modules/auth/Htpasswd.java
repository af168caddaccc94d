package dev.modhttp.engine.modules.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.mindrot.jbcrypt.BCrypt;

/**
 * The users of an htpasswd file: {@code name:hash} lines, {@code #} comments and blank lines
 * skipped. Hashes may be bcrypt ({@code $2y$}, {@code $2b$}, {@code $2a$}, as
 * {@code htpasswd -B} writes them), {@code {SHA}} (base64 of SHA-1, {@code htpasswd -s}) or
 * {@code {SSHA}} (salted SHA-1). Plain-text passwords and the old crypt and MD5 forms are
 * refused when the file is read, naming the line.
 */
final class Htpasswd {

    private static final AtomicLong GENERATIONS = new AtomicLong();

    private final Map<String, String> hashes;
    /** The file's time when it was read, to notice a change. */
    final FileTime modified;
    /** Tells one reading from another (credentials remembered for one do not hold for the next). */
    final long generation = GENERATIONS.incrementAndGet();
    /** When the file's time was last compared, in {@link System#nanoTime()}. */
    volatile long checkedAt = System.nanoTime();

    private Htpasswd(Map<String, String> hashes, FileTime modified) {
        this.hashes = hashes;
        this.modified = modified;
    }

    static Htpasswd read(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        // split as bytes, then each line decoded: a byte that is not UTF-8 is refused naming its line
        List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).lines().toList();
        Map<String, String> hashes = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = utf8(lines.get(i), file, i + 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + " is not \"user:hash\"");
            }
            String hash = line.substring(colon + 1);
            int end = hash.indexOf(':'); // Apache allows a trailing comment field
            if (end >= 0) {
                hash = hash.substring(0, end);
            }
            if (!supported(hash)) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": the hash of user '"
                        + line.substring(0, colon) + "' is not bcrypt, {SHA} or {SSHA} (plain text and crypt/MD5 "
                        + "forms are refused; create entries with htpasswd -B)");
            }
            hashes.put(line.substring(0, colon), hash);
        }
        return new Htpasswd(hashes, modified);
    }

    private static String utf8(String bytes, Path file, int number) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ":" + number + " is not UTF-8");
        }
    }

    private static boolean supported(String hash) {
        return isBcrypt(hash) || hash.startsWith("{SHA}") || hash.startsWith("{SSHA}");
    }

    private static boolean isBcrypt(String hash) {
        return hash.length() == 60 && (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$"));
    }

    /** Whether {@code password} is {@code user}'s. Slow for bcrypt, by design: call it off the event loop. */
    boolean verify(String user, String password) {
        String hash = hashes.get(user);
        if (hash == null) {
            return false;
        }
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (isBcrypt(hash)) {
            // $2y$ and $2b$ are bcrypt without the old implementations' bugs: verified as $2a$
            try {
                return BCrypt.checkpw(password, "$2a$" + hash.substring(4));
            } catch (IllegalArgumentException | IndexOutOfBoundsException bad) {
                return false; // jBCrypt indexes its alphabet's table with the hash's characters: one outside it throws
            }
        }
        if (hash.startsWith("{SHA}")) {
            return MessageDigest.isEqual(sha1(pw, new byte[0]), decode(hash.substring(5)));
        }
        byte[] stored = decode(hash.substring(6)); // {SSHA}: digest then salt
        if (stored.length <= 20) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(stored, 20, stored.length);
        return MessageDigest.isEqual(sha1(pw, salt), Arrays.copyOf(stored, 20));
    }

    int size() {
        return hashes.size();
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] sha1(byte[] password, byte[] salt) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(password);
            md.update(salt);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }
}
