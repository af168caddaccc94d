package dev.modhttp.boot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The starter assembles the engine through its API; the request core and the protocols are out of its reach. */
class StarterArchitectureTests {

    @Test
    void theStarterImportsOnlyTheEngineApi() {
        JavaClasses starter = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.modhttp.boot");
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.modhttp.engine.exchange..",
                        "dev.modhttp.engine.http1..", "dev.modhttp.engine.internal..", "dev.modhttp.engine.netty..")
                .because("the starter holds only assembly (STYLE.md)")
                .check(starter);
    }
}
