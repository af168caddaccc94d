package dev.modhttp.boot.test;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.test.context.SpringBootTestContextBootstrapper;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.test.context.TestContextBootstrapper;

/**
 * The {@link TestContextBootstrapper} of {@link EngineTest}: its {@code properties}, after
 * {@code server.port=0} so that they may set another port.
 */
final class EngineTestContextBootstrapper extends SpringBootTestContextBootstrapper {

    @Override
    protected String[] getProperties(Class<?> testClass) {
        List<String> properties = new ArrayList<>(List.of("server.port=0"));
        MergedAnnotations.from(testClass, MergedAnnotations.SearchStrategy.INHERITED_ANNOTATIONS).get(EngineTest.class)
                .getValue("properties", String[].class).ifPresent(p -> properties.addAll(List.of(p)));
        return properties.toArray(String[]::new);
    }
}
