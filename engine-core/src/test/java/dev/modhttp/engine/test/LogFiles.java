package dev.modhttp.engine.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Access log files the tests read: written on the log's own thread, so read once the lines are there. */
public final class LogFiles {

    private LogFiles() {
    }

    /** The lines of {@code file} once {@code count} are there, or what it has after 10 s. */
    public static List<String> lines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() >= count || System.nanoTime() > deadline) {
                return lines;
            }
            Thread.sleep(10);
        }
    }
}
