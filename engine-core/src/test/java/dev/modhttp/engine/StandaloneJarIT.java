package dev.modhttp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user runs it: {@code java -jar engine-core-VERSION-standalone.jar} with
 * {@code -t} on a bad file, then serving a file, reloading it on SIGHUP and stopping on SIGTERM.
 */
@Timeout(120)
class StandaloneJarIT {

    @TempDir
    Path dir;

    private static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-standalone.jar")).findFirst().orElseThrow();
        }
    }

    private static ProcessBuilder java(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    @Test
    void dashTRefusesABadFileNamingItsLine() throws Exception {
        Path f = dir.resolve("engine.yml");
        Files.writeString(f, "servers:\n  - listen: [\"127.0.0.1:0\"]\n    locations:\n      - location: /\n"
                + "        keepalive-timeout: soon\n");
        Process p = java("-t", "-c", f.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(1);
        assertThat(output).contains("engine: [emerg] engine.servers[0].locations[0].keepalive-timeout")
                .contains(f + ":5").contains("test failed");
    }

    @Test
    void servesReloadsOnSighupAndStopsOnSigterm() throws Exception {
        Path f = dir.resolve("engine.yml");
        String yaml = "servers:\n  - listen: [\"127.0.0.1:0\"]\n    locations:\n      - location: /\n"
                + "        return: \"200 %s\"\n";
        Files.writeString(f, yaml.formatted("first"));
        Path log = dir.resolve("stderr.log");
        Process p = java("-c", f.toString()).redirectError(log.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            Matcher m = Pattern.compile("on port\\(s\\) \\[(\\d+)]").matcher(String.valueOf(line));
            assertThat(m.find()).as("the first line: %s; the log: %s", line, Files.readString(log)).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(get(port)).isEqualTo("first");
            Files.writeString(f, yaml.formatted("second"));
            new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!get(port).equals("second") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(get(port)).isEqualTo("second");
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
            assertThat(p.waitFor(Standalone.GRACE.toSeconds() + 10, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(log)).contains("configuration generation 2 serves from now on")
                    .contains("Engine stopped").doesNotContain("ERROR");
        } finally {
            p.destroyForcibly();
        }
    }

    private static String get(int port) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
