package dev.modhttp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone runner's -t, -T and run mode, as nginx's flags. */
class StandaloneTests {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Standalone.Outcome run(String... args) {
        return Standalone.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** One server answering "hello" at /: six lines, the last ending the location list. */
    private static final String HELLO = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: /
                    return: "200 hello"
            """;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("engine.yml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void dashTSaysAGoodConfigurationIsSuccessful() throws Exception {
        Path f = file(HELLO);
        assertThat(run("-t", "-c", f.toString()).exitCode()).isZero();
        assertThat(out()).contains("engine: the configuration file " + f + " syntax is ok")
                .contains("engine: configuration file " + f + " test is successful");
        assertThat(err()).isEmpty();
    }

    @Test
    void dashTNamesTheBadPropertyAndItsLine() throws Exception {
        Path f = file(HELLO + """
                      - location: /up/
                        client-max-body-size: lots
                """);
        Standalone.Outcome o = run("-t", "-c", f.toString());
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(err()).contains("engine: [emerg] engine.servers[0].locations[1].client-max-body-size: 'lots' is not a size")
                .contains(" in " + f + ":7")
                .contains("engine: configuration file " + f + " test failed");
    }

    @Test
    void anApplicationYmlIsReadFromItsEngineBlockWithItsOwnLines() throws Exception {
        Path f = file("""
                spring:
                  application:
                    name: x
                engine:
                  servers:
                    - listen: ["127.0.0.1:0"]
                      locations:
                        - location: ~ (unclosed
                """);
        assertThat(run("-t", "-c", f.toString()).exitCode()).isEqualTo(1);
        assertThat(err()).contains("engine.servers[0].locations[0]").contains(" in " + f + ":8");
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() throws Exception {
        Path f = file("servers:\n  - listen: [\"127.0.0.1:0\"\n    locations: []\n");
        assertThat(run("-t", "-c", f.toString()).exitCode()).isEqualTo(1);
        assertThat(err()).contains("not valid YAML").contains(f + ":3");
    }

    @Test
    void dashBigTPrintsEveryLocationsMergedConfiguration() throws Exception {
        Path f = file("""
                client-max-body-size: 2m
                servers:
                  - listen: ["127.0.0.1:0"]
                    server-names: [api.test]
                    locations:
                      - location: /
                        return: "204"
                      - location: ~ \\.php$
                        root: /srv/php
                """);
        assertThat(run("-T", "-c", f.toString()).exitCode()).isZero();
        assertThat(out()).contains("test is successful")
                .contains("server servers[0] listen [127.0.0.1:0] server-names [api.test]")
                .contains("  location / (servers[0].locations[0])")
                .contains("  location ~ \\.php$ (servers[0].locations[1])")
                .containsPattern("    return \\{status=204")
                .containsPattern("    CoreConfig \\{root=/srv/php, .*clientMaxBodySize=2097152B");
    }

    @Test
    void wrongFlagsAreAUsageError() {
        assertThat(run("-x").exitCode()).isEqualTo(2);
        assertThat(run("-t").exitCode()).isEqualTo(2);
        assertThat(err()).contains("unknown option -x").contains("no configuration file: give -c FILE").contains("usage:");
    }

    @Test
    void runModeServesAndAReloadReadsTheFileAgainOrRefusesABadEditWithItsLine() throws Exception {
        Path f = file("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        return: "200 first"
                """);
        Engine engine = run("-c", f.toString()).engine();
        try {
            int port = engine.ports().get(0);
            assertThat(out()).contains("engine: serving " + f + " on port(s) [" + port + "]");
            assertThat(get(port)).isEqualTo("first");
            Files.writeString(f, Files.readString(f).replace("first", "second"));
            assertThat(engine.reload().applied()).isTrue(); // what SIGHUP does
            assertThat(get(port)).isEqualTo("second");
            Files.writeString(f, Files.readString(f).replace("return: \"200 second\"", "return: \"999 x\""));
            ReloadResult refused = engine.reload();
            assertThat(refused.applied()).isFalse();
            assertThat(refused.error()).contains("servers[0].locations[0].return").contains(f + ":5");
            assertThat(get(port)).isEqualTo("second");
        } finally {
            engine.stop(Duration.ofSeconds(1));
        }
    }

    private static String get(int port) {
        try (RawClient c = new RawClient(port)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return c.read().body();
        }
    }
}
