package dev.modhttp.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.modules.actuator.ActuatorModule;
import dev.modhttp.engine.modules.websocket.WebSocketModule;
import dev.modhttp.engine.test.TestEngine;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The reference made from the config records' {@link KeyDoc}s: every built-in key has one, and a
 * default it gives as a value is the value the key has when it is not written.
 */
class ConfigReferenceTests {

    static final List<ConfigSpec<?>> SPECS = Engine.builder().module(new ActuatorModule(Map.of()))
                .module(new WebSocketModule(Map.of())).build().configSpecs();

    /** A default written as one value ({@code `60s`}, {@code `[index.html]`}), not in words. */
    private static final Pattern VALUE = Pattern.compile("`([^`]+)`");

    @Test
    void everyBuiltInKeyHasAMeaningAndADefault() {
        SoftAssertions each = new SoftAssertions();
        for (ConfigReference.Row row : ConfigReference.rows(SPECS)) {
            each.assertThat(row.meaning()).as("%s", row.keys()).isNotBlank();
            each.assertThat(row.defaults()).as("%s", row.keys()).allSatisfy(d -> assertThat(d).isNotBlank());
        }
        each.assertAll();
    }

    @Test
    void aDefaultGivenAsAValueIsWhatTheKeyHoldsWhenItIsNotWritten() throws ReflectiveOperationException {
        EngineConfig unset = EngineConfig.load(TestEngine.yaml("servers: [{listen: ['8080']}]"), SPECS, "8080");
        SoftAssertions each = new SoftAssertions();
        int checked = 0;
        for (ConfigSpec<?> spec : SPECS) {
            if (!spec.scopes().contains(Scope.MAIN)) {
                continue;
            }
            if (!spec.isFlat()) {
                Matcher value = VALUE.matcher(spec.type().getAnnotation(KeyDoc.class).defaultValue());
                if (value.matches()) {
                    each.assertThat(written(spec.key(), value.group(1)).main(spec)).as(spec.key()).isEqualTo(unset.main(spec));
                    checked++;
                }
                continue;
            }
            for (RecordComponent c : spec.type().getRecordComponents()) {
                Scopes only = c.getAnnotation(Scopes.class);
                if (only != null && !List.of(only.value()).contains(Scope.MAIN)) {
                    continue;
                }
                Matcher value = VALUE.matcher(c.getAnnotation(KeyDoc.class).defaultValue());
                if (!value.matches()) {
                    continue;
                }
                String key = ValueConverter.kebab(c.getName());
                Object documented = c.getAccessor().invoke(written(key, value.group(1)).main(spec));
                each.assertThat(c.getAccessor().invoke(unset.main(spec))).as("%s: %s", key, value.group(1))
                        .isNotNull().isEqualTo(documented);
                checked++;
            }
        }
        each.assertAll();
        assertThat(checked).as("defaults checked").isGreaterThan(60);
    }

    private static EngineConfig written(String key, String value) {
        return EngineConfig.load(TestEngine.yaml(key + ": " + value + "\nservers: [{listen: ['8080']}]"), SPECS, "8080");
    }
}
