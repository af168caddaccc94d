package dev.modhttp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * engine-core stands without Spring, its packages are documented, and its layers call one way
 * (docs/architecture.md): modules see only the API, the API does not reach into the request
 * core, the request core does not know the protocol.
 */
class ArchitectureTests {

    static final Path SOURCES = Path.of("src/main/java");
    private static final String ENGINE = "dev.modhttp.engine";
    /** What modules and the starter may not import. */
    static final String[] INTERNAL = {ENGINE + ".exchange..", ENGINE + ".http1..", ENGINE + ".http2..", ENGINE + ".tls..",
        ENGINE + ".internal..", ENGINE + ".netty.."};
    /** The packages a module author uses. */
    private static final String[] API = {ENGINE + ".http..", ENGINE + ".phase..", ENGINE + ".filter..",
        ENGINE + ".module..", ENGINE + ".config..", ENGINE + ".variable..", ENGINE + ".core.."};
    /** The one class allowed past {@link #MAX_LINES}: the HTTP/1.1 parser, a state machine read top to bottom. */
    private static final Set<String> LONG_BY_DESIGN = Set.of("RequestDecoder.java");
    private static final int MAX_LINES = 400;

    private static JavaClasses engine;

    @BeforeAll
    static void importClasses() {
        engine = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ENGINE);
    }

    @Test
    void modulesImportOnlyTheApi() {
        noClasses().that().resideInAPackage(ENGINE + ".modules..")
                .should().dependOnClassesThat().resideInAnyPackage(INTERNAL)
                .because("a built-in module is written like a user's module, against the API")
                .check(engine);
    }

    @Test
    void theApiDoesNotReachIntoTheRequestCore() {
        noClasses().that().resideInAnyPackage(API)
                .should().dependOnClassesThat().resideInAnyPackage(ENGINE + ".exchange..", ENGINE + ".http1..",
                        ENGINE + ".http2..")
                .check(engine);
    }

    @Test
    void theRequestCoreDoesNotKnowTheProtocol() {
        noClasses().that().resideInAPackage(ENGINE + ".exchange..")
                .should().dependOnClassesThat().resideInAnyPackage(ENGINE + ".http1..", ENGINE + ".http2..")
                .because("a protocol plugs in below the exchange through Transport")
                .check(engine);
    }

    @Test
    void apiPackagesAreFreeOfCycles() {
        slices().matching(ENGINE + ".(*)..").should().beFreeOfCycles().check(engine.that(resideInAnyPackage(API)));
    }

    @Test
    void noPublicApiMemberIsEngineInternal() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !isInternalPackage(p))
                    .flatMap(p -> engineInternalMembers(p).stream()).toList();
            assertThat(offenders).as("public members of API packages documented as engine-internal").isEmpty();
        }
    }

    @Test
    void noClassIsLongerThanItsJob() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !LONG_BY_DESIGN.contains(p.getFileName().toString()))
                    .filter(p -> classLines(p) > MAX_LINES)
                    .map(p -> p + " (" + classLines(p) + " lines after its imports)").toList();
            assertThat(offenders).isEmpty();
        }
    }

    /** The lines of a source file after its package and import statements. */
    private static long classLines(Path p) {
        List<String> lines = read(p).lines().toList();
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("import ") || lines.get(i).startsWith("package ")) {
                start = i + 1;
            }
        }
        return lines.size() - start;
    }

    private static boolean isInternalPackage(Path p) {
        String s = p.toString().replace('\\', '/');
        return s.contains("/engine/exchange/") || s.contains("/engine/http1/") || s.contains("/engine/http2/")
                || s.contains("/engine/tls/")
                || s.contains("/engine/internal/");
    }

    /** Public declarations whose javadoc calls them engine-internal, as "file:line". */
    static List<String> engineInternalMembers(Path file) {
        List<String> found = new ArrayList<>();
        List<String> lines = read(file).lines().toList();
        boolean flagged = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.startsWith("/**")) {
                flagged = false;
            }
            if ((line.startsWith("/**") || line.startsWith("*")) && line.toLowerCase(Locale.ROOT).contains("engine-internal")) {
                flagged = true;
            } else if (!line.startsWith("*") && !line.startsWith("/**") && !line.startsWith("@") && !line.isEmpty()) {
                if (flagged && line.startsWith("public ")) {
                    found.add(file + ":" + (i + 1));
                }
                flagged = false;
            }
        }
        return found;
    }

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

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
