package dev.modhttp.boot.test;

import dev.modhttp.boot.EngineCustomizer;
import dev.modhttp.boot.PhaseHandler;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.phase.Handler;
import java.io.IOException;
import java.util.Set;
import org.springframework.boot.test.context.filter.annotation.StandardAnnotationCustomizableTypeExcludeFilter;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/** What {@link EngineTest} scans in: the engine's bean types and classes with {@code @PhaseHandler} methods. */
final class EngineTypeExcludeFilter extends StandardAnnotationCustomizableTypeExcludeFilter<EngineTest> {

    private static final Set<Class<?>> INCLUDES = Set.of(Handler.class, Module.class, HeaderFilter.class,
            BodyFilter.class, Hook.class, EngineCustomizer.class, PhaseHandler.class);

    EngineTypeExcludeFilter(Class<?> testClass) {
        super(testClass);
    }

    @Override
    protected Set<Class<?>> getKnownIncludes() {
        return INCLUDES;
    }

    @Override
    protected boolean defaultInclude(MetadataReader reader, MetadataReaderFactory factory) throws IOException {
        return super.defaultInclude(reader, factory)
                || reader.getAnnotationMetadata().hasAnnotatedMethods(PhaseHandler.class.getName());
    }
}
