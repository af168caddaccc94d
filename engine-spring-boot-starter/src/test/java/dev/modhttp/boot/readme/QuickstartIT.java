package dev.modhttp.boot.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.boot.readme.Readme.Block;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's quick start as a user meets it: the sample project (the README's files, checked by
 * {@code ReadmeTests}), built by the invoker plugin against this checkout's starter alone, runs as
 * {@code java -jar}, and every command of the README's transcript prints what the README says.
 * Its classpath is the sample's runtime classpath only: a dependency the starter fails to bring
 * fails here, where the sample's own {@code @SpringBootTest} (with spring-boot-starter-test) would not.
 */
@Timeout(180)
class QuickstartIT {

    private static final Pattern STARTED = Pattern.compile("Engine started on port\\(s\\) \\[(\\d+)");

    @Test
    void theReadmesCommandsPrintWhatTheReadmeSaysAgainstTheSampleJar() throws Exception {
        List<Block> transcripts = Readme.blocks("console", "transcript");
        assertThat(transcripts).extracting(b -> b.marked("transcript")).contains("samples/quickstart");
        Path jar = Path.of(System.getProperty("samples.directory", "target/samples"), "quickstart", "target",
                "quickstart.jar");
        assertThat(jar).as("built by the invoker plugin").exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process app = new ProcessBuilder(java, "-jar", jar.toString(), "--server.port=0")
                .redirectErrorStream(true).start();
        StringBuffer log = new StringBuffer();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(app.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    log.append(line).append('\n');
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (java.io.IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the sample ended before it started:\n" + log));
        }, "quickstart-log");
        reader.start();
        try {
            int p = port.get(120, TimeUnit.SECONDS);
            for (Block block : transcripts) {
                for (Transcript.Step step : Transcript.parse(block.text())) {
                    assertThat(Transcript.run(step.command(), p)).as(block + ": " + step.command() + "\nlog:\n" + log)
                            .isEqualTo(step.expected());
                }
            }
        } finally {
            app.destroy();
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            reader.join(10_000);
        }
        assertThat(log.toString()).as("a graceful stop, nothing logged as an error").doesNotContain(" ERROR ");
    }

    @Test
    void theSampleProjectsOwnTestsRanAndPassed() throws Exception {
        Path reports = Path.of(System.getProperty("samples.directory", "target/samples"), "quickstart", "target",
                "surefire-reports", "TEST-com.example.quickstart.QuickstartApplicationTests.xml");
        assertThat(reports).exists();
        assertThat(Files.readString(reports)).contains("tests=\"3\"").contains("failures=\"0\"").contains("errors=\"0\"");
    }
}
