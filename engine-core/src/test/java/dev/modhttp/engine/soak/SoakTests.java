package dev.modhttp.engine.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak's bounded variant (bench/soak.sh runs it for 30 minutes): two minutes of mixed
 * traffic against an engine process with Netty's paranoid leak detection. Every answer is what
 * its scenario expects, no buffer leaks, the engine logs no warning or error, and its memory
 * is flat once warm (the last two thirds of the run: RSS within 5 %, heap after GC within 4 MiB in
 * the last three samples).
 */
@Timeout(300)
class SoakTests {

    @TempDir
    Path dir;

    @Test
    void twoMinutesOfMixedTrafficLeakNothingAndKeepMemoryFlat() throws Exception {
        long seconds = Long.getLong("soak.seconds", 120);
        SoakLoad.Report r = SoakLoad.run(Duration.ofSeconds(seconds), 16, Duration.ofSeconds(10), dir);
        System.out.printf("soak %d s: %d requests %s; RSS %d -> %d KiB, growth over the last 2/3: RSS %.1f%%,"
                + " heap after GC %d KiB (samples %s)%n", seconds, r.requests(), r.byScenario(), r.samples().get(0).rssKib(),
                r.samples().get(r.samples().size() - 1).rssKib(), r.rssGrowth(2.0 / 3) * 100, r.heapGrowthKib(2.0 / 3),
                r.heapSeries());
        assertThat(r.details()).as("answers a scenario did not expect").isEmpty();
        assertThat(r.unexpected()).isZero();
        assertThat(r.leaks()).as("Netty's LEAK reports").isEmpty();
        assertThat(r.logLines()).as("the engine's warnings and errors").isEmpty();
        assertThat(r.byScenario()).hasSize(14 - 2); // every scenario ran ("hello" is weighted three times)
        assertThat(r.requests()).isGreaterThan(seconds * 100);
        assertThat(r.samples()).hasSizeGreaterThanOrEqualTo((int) (seconds / 10));
        assertThat(r.rssGrowth(2.0 / 3)).as("RSS growth once warm").isLessThan(0.05);
        assertThat(r.heapGrowthKib(2.0 / 3)).as("heap after GC growth once warm, KiB (samples: %s)", r.heapSeries())
                .isLessThan(4096);
    }
}
