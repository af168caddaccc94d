package dev.modhttp.engine.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UriNormalizerTests {

    @ParameterizedTest(name = "[{index}] {0} -> {1} ? {2}")
    @CsvSource(delimiterString = "=>", nullValues = "INVALID", emptyValue = "", textBlock = """
            /                          => /                 =>
            /a/b                       => /a/b              =>
            /a//b///c                  => /a/b/c            =>
            /a/./b                     => /a/b              =>
            /a/.                       => /a/               =>
            /a/b/..                    => /a/               =>
            /a/b/../c                  => /a/c              =>
            /a/../../b                 => INVALID           =>
            /..                        => INVALID           =>
            /../a                      => INVALID           =>
            /a%2Fb                     => /a/b              =>
            /a%2F..%2Fb                => /b                =>
            /a/%2e%2e/b                => /b                =>
            /a/%2E/b                   => /a/b              =>
            /%2e%2e/x                  => INVALID           =>
            /a%2F%2Fb                  => /a/b              =>
            /a%00b                     => INVALID           =>
            /a%zzb                     => INVALID           =>
            /a%4                       => INVALID           =>
            /a%                        => INVALID           =>
            /a%20b                     => /a b              =>
            /a%25b                     => /a%b              =>
            /a%3Fb?x=%3F               => /a?b              => x=%3F
            /a%23b                     => /a#b              =>
            /p?q=1&r=%2F..             => /p                => q=1&r=%2F..
            /p/../?q=/../              => /                 => q=/../
            /p#frag                    => /p                =>
            /p?q#frag                  => /p                => q
            /a/..b                     => /a/..b            =>
            /a/.b/                     => /a/.b/            =>
            /a/...                     => /a/...            =>
            /caf%C3%A9                 => /caf\u00c3\u00a9  =>
            http://host/x/../y?z       => /y                => z
            http://host                => /                 =>
            http://host?q              => /                 => q
            """)
    void normalizesAsNginxDoes(String target, String path, String args) {
        UriNormalizer.Normalized n = UriNormalizer.normalize(target);
        if (path == null) {
            assertThat(n).isNull();
            return;
        }
        assertThat(n).isNotNull();
        assertThat(n.path()).isEqualTo(path.replace("\\u00c3", "\u00c3").replace("\\u00a9", "\u00a9"));
        assertThat(n.args()).isEqualTo(args == null ? "" : args);
    }
}
