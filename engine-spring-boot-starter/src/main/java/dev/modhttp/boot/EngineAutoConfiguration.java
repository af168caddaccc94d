package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.EngineBuilder;
import dev.modhttp.engine.EngineException;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.filter.HeaderFilterDefinition;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.modules.websocket.WebSocketEndpoint;
import dev.modhttp.engine.modules.websocket.WebSocketModule;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.HandlerDefinition;
import java.lang.reflect.Method;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Assembles the engine from {@code application.yml} ({@code engine.*}) and the application's
 * beans: {@link Module}s, {@link PhaseHandler} beans and methods, {@link HeaderFilter} and
 * {@link BodyFilter} beans and {@link Hook}s (ordered by {@code @Order}/{@code Ordered}),
 * then {@link EngineCustomizer}s. Runs it in the context's lifecycle. Adds no request-time
 * logic of its own. Off with {@code engine.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "engine", name = "enabled", havingValue = "true", matchIfMissing = true)
public final class EngineAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(EngineAutoConfiguration.class);
    /** Micrometer's core (the metrics module's) and its observation API, which it brings. */
    private static final boolean OBSERVATION = ClassUtils.isPresent("io.micrometer.core.instrument.MeterRegistry", null)
            && ClassUtils.isPresent("io.micrometer.observation.Observation", null);

    @Bean
    @ConditionalOnMissingBean
    Engine engine(ApplicationContext context, ConfigurableEnvironment environment, ObjectProvider<Hook> hooks,
            ObjectProvider<EngineCustomizer> customizers, ObjectProvider<SslBundles> sslBundles) {
        Map<String, Object> tree = EngineConfigTree.read(environment);
        String serverPort = environment.getProperty("server.port", "8080");
        checkServers(context, tree, serverPort);
        SslBundles bundles = sslBundles.getIfAvailable();
        BootServerProperties.Applied boot = BootServerProperties.apply(environment, tree, serverPort, bundles,
                ManagementServer.served(context));
        EngineBuilder builder = Engine.builder()
                .config(tree)
                .defaultListen(boot.listen())
                .virtualThreads(environment.getProperty("spring.threads.virtual.enabled", Boolean.class, false))
                .reloadOnSighup(environment.getProperty(EngineLifecycle.RELOAD_SIGHUP, Boolean.class, false));
        if (bundles != null || boot.serverSsl() != null) {
            builder.sslBundles(new BootSslBundles(bundles, boot.serverSsl()));
        }
        for (Map.Entry<String, Module> m : ordered(context, Module.class)) {
            builder.module(m.getKey(), m.getValue()); // what it registers is named after the bean
        }
        Map<String, WebSocketEndpoint> endpoints = new LinkedHashMap<>(); // a location's websocket key names one
        ordered(context, WebSocketEndpoint.class).forEach(e -> endpoints.put(e.getKey(), e.getValue()));
        builder.module(new WebSocketModule(endpoints));
        Map<Class<?>, ConfigSpec<?>> specs = new HashMap<>();
        builder.configs().forEach(spec -> specs.put(spec.type(), spec)); // built-in modules' and the beans'
        registerHandlers(context, builder, new HandlerMethods(specs));
        int order = 0;
        for (Map.Entry<String, HeaderFilter> f : ordered(context, HeaderFilter.class)) {
            builder.headerFilter(new HeaderFilterDefinition(order++, f.getKey(), f.getValue()));
        }
        order = 0;
        for (Map.Entry<String, BodyFilter> f : ordered(context, BodyFilter.class)) {
            builder.bodyFilter(new BodyFilterDefinition(order++, f.getKey(), f.getValue()));
        }
        hooks.orderedStream().forEach(builder::hook);
        customizers.orderedStream().forEach(c -> c.customize(builder));
        try {
            return builder.build();
        } catch (ConfigException e) {
            throw EngineConfigTree.describe(e, environment);
        }
    }

    /**
     * Warns when no server is configured (a misspelt {@code engine:} root, say), and refuses to
     * share {@code server.port} with an embedded web server of Spring Boot's own (Tomcat, Jetty,
     * Reactor Netty from spring-boot-starter-web or -webflux) in the same application.
     */
    private static void checkServers(ApplicationContext context, Map<String, Object> tree, String serverPort) {
        Object servers = tree.get("servers");
        if (!(servers instanceof List<?> list) || list.isEmpty()) {
            LOG.warn("No engine.servers are configured: the engine serves one server on server.port ({}) without "
                    + "locations. Configure engine.servers[0].locations in application.yml", serverPort);
        }
        boolean usesServerPort = !(servers instanceof List<?> list) || list.isEmpty()
                || list.stream().anyMatch(s -> !(s instanceof Map<?, ?> m) || m.get("listen") == null);
        boolean bootWebServer = ClassUtils.getAllInterfacesForClassAsSet(context.getClass()).stream()
                .anyMatch(i -> i.getSimpleName().equals("WebServerApplicationContext"));
        if (bootWebServer && usesServerPort) {
            throw new EngineException("this application also runs Spring Boot's own embedded web server (from "
                    + "spring-boot-starter-web or spring-boot-starter-webflux) on server.port (" + serverPort
                    + "), where the engine's servers without 'listen' would listen too. Remove that starter (the "
                    + "engine is the application's HTTP server), or give every engine.servers[N] its own 'listen'");
        }
    }

    /**
     * Beans of a type in Spring's order ({@code @Order} on classes and {@code @Bean} methods,
     * {@code Ordered}), with their names.
     */
    private static <T> List<Map.Entry<String, T>> ordered(ApplicationContext context, Class<T> type) {
        Map<Object, String> names = new IdentityHashMap<>();
        context.getBeansOfType(type).forEach((name, bean) -> names.put(bean, name));
        return context.getBeanProvider(type).orderedStream()
                .map(bean -> Map.entry(names.getOrDefault(bean, bean.getClass().getName()), bean)).toList();
    }

    @Bean
    @ConditionalOnMissingBean
    EngineLifecycle engineLifecycle(Engine engine, ConfigurableEnvironment environment, ApplicationContext context,
            ObjectProvider<SslBundles> sslBundles) {
        engine.configSource(new EngineConfigSource(environment, context, sslBundles.getIfAvailable()));
        return new EngineLifecycle(engine, environment, context);
    }

    /** Finds @PhaseHandler beans (by class or @Bean method) and @PhaseHandler methods of any bean. */
    private static void registerHandlers(ApplicationContext context, EngineBuilder builder, HandlerMethods methods) {
        for (String name : context.getBeanDefinitionNames()) {
            Class<?> type = context.getType(name, false);
            if (type == null || Engine.class.isAssignableFrom(type) || EngineLifecycle.class.isAssignableFrom(type)) {
                continue;
            }
            PhaseHandler onBean = context.findAnnotationOnBean(name, PhaseHandler.class);
            if (onBean != null) {
                Object bean = context.getBean(name);
                if (!(bean instanceof Handler handler)) {
                    throw new EngineException("bean '" + name + "' is annotated @PhaseHandler but does not implement "
                            + Handler.class.getName());
                }
                builder.handler(wrap(name, () -> methods.forBean(name, handler, onBean)));
            }
            if (!AnnotationUtils.isCandidateClass(type, PhaseHandler.class)) {
                continue;
            }
            Map<Method, PhaseHandler> annotated;
            try {
                annotated = MethodIntrospector.selectMethods(ClassUtils.getUserClass(type),
                        (MethodIntrospector.MetadataLookup<PhaseHandler>) m -> m.isAnnotationPresent(Bean.class)
                                ? null // a @Bean method's handler is the bean it returns, found above
                                : AnnotatedElementUtils.findMergedAnnotation(m, PhaseHandler.class));
            } catch (IllegalStateException | LinkageError unresolvable) {
                // a class whose methods name classes that are not there (an optional library's bean,
                // such as a test client): it cannot hold a handler the engine could call; as Spring's
                // own method processors, skip it
                LOG.debug("Could not look for @PhaseHandler methods of bean '{}': {}", name, unresolvable.toString());
                continue;
            }
            if (!annotated.isEmpty()) {
                Object bean = context.getBean(name);
                annotated.entrySet().stream()
                        .sorted(Comparator.comparing(e -> e.getKey().getName()))
                        .forEach(e -> builder.handler(wrap(name,
                                () -> methods.forMethod(name, bean, e.getKey(), e.getValue()))));
            }
        }
    }

    /** The handler a bean defines; inside its request's observation scope when micrometer-observation is there. */
    private static HandlerDefinition wrap(String bean,
            Supplier<HandlerDefinition> definition) {
        try {
            HandlerDefinition d = definition.get();
            return OBSERVATION ? ObservedHandlers.wrap(d) : d;
        } catch (IllegalStateException e) {
            throw new EngineException("bean '" + bean + "': " + e.getMessage(), e);
        }
    }
}
