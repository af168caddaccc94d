package dev.modhttp.boot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.autoconfigure.OverrideAutoConfiguration;
import org.springframework.boot.test.context.filter.annotation.TypeExcludeFilters;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.BootstrapWith;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * A test slice that starts only the engine, its modules and the application's handler beans,
 * not the whole application, as {@code @WebMvcTest} starts only Spring MVC's part.
 *
 * <ul>
 *   <li>Component scanning keeps {@code Handler}, {@code Module}, {@code HeaderFilter},
 *       {@code BodyFilter}, {@code Hook} and {@code EngineCustomizer} beans and classes with
 *       {@code @PhaseHandler} on them or on a method; other components (services, repositories,
 *       {@code @Configuration} classes) are left out: {@code @Import} or {@code @MockitoBean}
 *       what the handlers need.</li>
 *   <li>Auto-configuration is the engine's only ({@code META-INF/spring/dev.modhttp.boot.test.EngineTest.imports}).</li>
 *   <li>The engine listens on a free port ({@code server.port=0} unless {@link #properties()} sets
 *       it): {@code @LocalServerPort} gives it, and Boot's test clients find it.</li>
 * </ul>
 *
 * <pre>{@code
 * @EngineTest(properties = "engine.servers[0].locations[0].location=/")
 * class GreetingTests {
 *     @LocalServerPort int port;
 *     ...
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@BootstrapWith(EngineTestContextBootstrapper.class)
@ExtendWith(SpringExtension.class)
@OverrideAutoConfiguration(enabled = false)
@TypeExcludeFilters(EngineTypeExcludeFilter.class)
@ImportAutoConfiguration
public @interface EngineTest {

    /** Properties in {@code key=value} form for the test's environment, as {@code @SpringBootTest}'s. */
    String[] properties() default {};

    /** Whether the default filters (the engine's bean types, {@code @PhaseHandler}) apply. */
    boolean useDefaultFilters() default true;

    /** More components to scan in. */
    ComponentScan.Filter[] includeFilters() default {};

    /** Components to leave out. */
    ComponentScan.Filter[] excludeFilters() default {};

    /** Auto-configurations to leave out of the slice's. */
    @AliasFor(annotation = ImportAutoConfiguration.class, attribute = "exclude")
    Class<?>[] excludeAutoConfiguration() default {};
}
