package dev.modhttp.engine.modules.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The htpasswd reader on its own: a file it refuses is refused naming the line. */
class HtpasswdTests {

    @TempDir
    Path dir;

    @Test
    void aLineThatIsNotUtf8IsRefusedNamingItsLine() throws Exception {
        // found by HtpasswdJazzerTests: Files.readAllLines threw MalformedInputException ("Input length = 1"), which
        // named no line, and startup failed with "cannot use FILE: Input length = 1"
        Path file = dir.resolve("htpasswd");
        Files.write(file, "bob:{SHA}9SMYoF5RilWWASry7TjeaKwmpGg=\n# Z\u00fcrich\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Htpasswd.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ":2 is not UTF-8");
        Files.writeString(file, "bob:{SHA}9SMYoF5RilWWASry7TjeaKwmpGg=\n# Z\u00fcrich\n", StandardCharsets.UTF_8);
        assertThat(Htpasswd.read(file).verify("bob", "builder")).isTrue();
    }

    @Test
    void aBcryptHashWithACharacterOutsideItsAlphabetIsAWrongPasswordNotAFailure() throws Exception {
        // jBCrypt 0.4 threw ArrayIndexOutOfBoundsException for it, which left the request waiting on its check
        Path file = dir.resolve("htpasswd");
        String hash = "$2y$05$" + "\u0080".repeat(53);
        Files.writeString(file, "bob:" + hash + "\n", StandardCharsets.UTF_8);
        assertThat(Htpasswd.read(file).verify("bob", "builder")).isFalse();
    }
}
