package dev.modhttp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** engine-core stands without Spring, and its packages are documented. */
class ArchitectureTests {

    static final Path SOURCES = Path.of("src/main/java");

    @Test
    void springIsNotOnTheEngineClasspath() {
        assertThatThrownBy(() -> Class.forName("org.springframework.core.SpringVersion"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void noSourceImportsSpring() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<Path> offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> read(p).contains("org.springframework")).toList();
            assertThat(offenders).isEmpty();
        }
    }

    @Test
    void everyPackageHasAPackageInfo() throws IOException {
        try (Stream<Path> dirs = Files.walk(SOURCES)) {
            List<Path> missing = dirs.filter(Files::isDirectory)
                    .filter(d -> hasJava(d) && !Files.exists(d.resolve("package-info.java"))).toList();
            assertThat(missing).isEmpty();
        }
    }

    private static boolean hasJava(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
