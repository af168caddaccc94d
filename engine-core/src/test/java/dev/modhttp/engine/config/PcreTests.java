package dev.modhttp.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regexes mean what nginx's PCRE makes of them. Subjects are written with {@code \r}, {@code \n}
 * and {@code \xHH} escapes for the bytes of a decoded URI; every row was checked against PCRE2
 * (nginx 1.22 on Debian) by {@code location ~ PATTERN} with the subject percent-encoded.
 */
class PcreTests {

    static String bytes(String escaped) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '\\' && escaped.charAt(i + 1) == 'r') {
                out.append('\r');
                i++;
            } else if (c == '\\' && escaped.charAt(i + 1) == 'n') {
                out.append('\n');
                i++;
            } else if (c == '\\' && escaped.charAt(i + 1) == 'x') {
                out.append((char) Integer.parseInt(escaped.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @ParameterizedTest(name = "[{index}] {0} on {1}: {2}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '`', textBlock = """
            \\.gif$                     => /a.gif              => true
            \\.gif$                     => /a.gif\\r           => false
            \\.gif$                     => /a.gif\\r\\n        => false
            \\.gif$                     => /a.gif\\n           => true
            \\.gif$                     => /a.gif\\n\\n        => false
            \\.gif$                     => /a.gif\\x85         => false
            \\.gif\\Z                   => /a.gif\\n           => true
            \\.gif\\Z                   => /a.gif\\r           => false
            \\.gif\\z                   => /a.gif\\n           => false
            ^/a.b$                      => /a\\rb              => true
            ^/a.b$                      => /a\\nb              => false
            ^/a\\Nb$                    => /a\\rb              => true
            ^/\\w+$                     => /caf\\xc3\\xa9      => false
            ^/\\w+$                     => /cafe_1             => true
            ^/\\d$                      => /\\xd9              => false
            ^/\\s$                      => /\\x0b              => true
            ^/\\s$                      => /\\xa0              => false
            (?i)^/ABC$                  => /abc                => true
            (?i)^/\\xc9$                => /\\xe9              => false
            ^/(?P<user>\\w+)/(?P=user)$ => /bob/bob            => true
            ^/(?P<user>\\w+)/(?P=user)$ => /bob/ann            => false
            ^/(?<user_id>\\d+)/\\k{user_id}$ => /12/12         => true
            ^/(?'n'\\d+)-\\k'n'$        => /7-7                => true
            ^/(\\d)(\\d)\\g{-1}$        => /122                => true
            ^/(\\d)\\g1$                => /11                 => true
            ^/[[:alpha:]]+$             => /abc                => true
            ^/[[:alpha:]]+$             => /a:b                => false
            ^/[[:^digit:]]+$            => /ab                 => true
            ^/[[:digit:][:upper:]]+$    => /A1                 => true
            ^/[a[b]+$                   => /[ab[               => true
            ^/[]a]+$                    => /]a]                => true
            ^/[a&&b]+$                  => /a&b                => true
            ^/x{2}$                     => /xx                 => true
            ^/x{$                       => /x{                 => true
            ^/{a}$                      => /{a}                => true
            ^/a(?#note)b$               => /ab                 => true
            ^/a++b$                     => /aab                => true
            ^/(?>a+)b$                  => /aab                => true
            ^/\\x{41}\\p{Lu}$           => /AB                 => true
            ^/a\\Q.*\\Eb$               => /a.*b               => true
            ^/a\\Q.*\\Eb$               => /axxb               => false
            """)
    void matchesAsPcre(String pattern, String subject, boolean matches) {
        Matcher m = Pcre.compile(pattern, false).matcher(bytes(subject));
        assertThat(m.find()).isEqualTo(matches);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '`', textBlock = """
            ^/(?|a(\\d)|b(\\d))$        => branch reset groups (?|...) are not supported
            ^/(\\((?R)?\\))$            => recursion and subroutine calls such as (?R) are not supported
            ^/(a)(?1)$                  => recursion and subroutine calls such as (?1) are not supported
            ^/(?<n>a)(?&n)$             => recursion and subroutine calls such as (?&n) are not supported
            ^/(?<n>a)(?P>n)$            => recursion and subroutine calls such as (?P>n) are not supported
            ^/(?<n>a)\\g<n>$            => subroutine calls (\\g<...>) are not supported
            ^/(a)?(?(1)b|c)$            => conditional groups (?(...)...) are not supported
            (*UTF8)^/a$                 => backtracking control verbs and options such as (*UTF8) are not supported
            ^/a\\Kb$                    => \\K (reset the match start) has no equivalent in Java
            (?U)^/a+$                   => the option U in (?U) is not supported
            ^/[[:alfa:]]$               => unknown POSIX class name [:alfa:]
            ^/[abc$                     => missing terminating ] for character class
            ^/(?<1a>x)$                 => '1a' is not a group name (letters, digits and _, not starting with a digit)
            """)
    void refusesWhatJavaCannotMatchAsPcre(String pattern, String reason) {
        assertThatThrownBy(() -> Pcre.compile(pattern, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(reason);
    }
}
