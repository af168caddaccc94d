package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;

/** Spring Boot's conventions: every auto-configuration is registered in the imports file and is final. */
class StarterArchitectureTests {

    @Test
    void autoConfigurationsAreRegisteredAnnotatedAndFinal() throws Exception {
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            List<String> names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            assertThat(names).contains(EngineAutoConfiguration.class.getName(),
                    EngineMetricsAutoConfiguration.class.getName(), EngineActuatorAutoConfiguration.class.getName());
            for (String name : names) {
                Class<?> type = Class.forName(name);
                assertThat(Modifier.isFinal(type.getModifiers())).as(name + " is final").isTrue();
                assertThat(type.isAnnotationPresent(AutoConfiguration.class)).as(name + " is @AutoConfiguration").isTrue();
            }
        }
    }
}
