package dev.modhttp.engine;

import dev.modhttp.engine.Compiler.ContentHandler;
import dev.modhttp.engine.Compiler.Named;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.SslBundleSource;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.filter.HeaderFilterDefinition;
import dev.modhttp.engine.internal.BlockingExecutor;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import io.netty.bootstrap.ServerBootstrap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Assembles an engine: the raw configuration, modules, handlers, filters and hooks. The
 * built-in modules (core, static, return) are always present.
 *
 * <pre>{@code
 * Engine engine = Engine.builder()
 *         .config(Map.of("servers", List.of(Map.of(
 *                 "listen", List.of("0"),
 *                 "locations", List.of(Map.of("location", "/", "return", "200 hello"))))))
 *         .handler(Phase.ACCESS, exchange -> Result.OK)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><td>{@link #defaultListen}</td><td>"8080": where a server without {@code listen} listens</td></tr>
 *   <tr><td>{@link #sslBundles}</td><td>none: key material by name for {@code ssl-bundle}</td></tr>
 *   <tr><td>{@link #ioThreads}</td><td>number of cores: event loop threads</td></tr>
 *   <tr><td>{@link #blockingLimit}</td><td>1024: blocking handlers running or waiting at once</td></tr>
 *   <tr><td>{@link #virtualThreads}</td><td>null: blocking handlers on virtual threads when the JVM has
 *       them (Java 21+), else on a bounded pool of platform threads</td></tr>
 * </table>
 */
public final class EngineBuilder {

    private Map<String, ?> raw = Map.of();
    private String defaultListen = "8080";
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private int blockingLimit = 1024;
    private Boolean virtualThreads;
    private boolean reloadOnSighup;
    private SslBundleSource sslBundles;
    /** The user's modules; the built-in ones are made for each generation. */
    private final List<Named> modules = new ArrayList<>();
    private final List<HandlerDefinition> handlers = new ArrayList<>();
    private final List<ContentHandler> contentHandlers = new ArrayList<>();
    private final List<HeaderFilterDefinition> headerFilters = new ArrayList<>();
    private final List<BodyFilterDefinition> bodyFilters = new ArrayList<>();
    private final List<Hook> hooks = new ArrayList<>();
    private final List<Consumer<ServerBootstrap>> bootstrapCustomizers = new ArrayList<>();

    EngineBuilder() {
    }

    /** The raw configuration tree (the content of {@code engine:} in YAML terms). */
    public EngineBuilder config(Map<String, ?> raw) {
        this.raw = Objects.requireNonNull(raw, "raw");
        return this;
    }

    /**
     * Where servers with {@code ssl-bundle} take their key material (the starter passes Spring
     * Boot's SSL bundles); none by default, and such a server then fails startup.
     */
    public EngineBuilder sslBundles(SslBundleSource source) {
        this.sslBundles = source;
        return this;
    }

    public EngineBuilder defaultListen(String listen) {
        this.defaultListen = listen;
        return this;
    }

    public EngineBuilder ioThreads(int threads) {
        this.ioThreads = threads;
        return this;
    }

    public EngineBuilder blockingLimit(int limit) {
        this.blockingLimit = limit;
        return this;
    }

    /**
     * Whether blocking handlers run on virtual threads: true where the JVM has them (on Java 17
     * they run on platform threads, as Boot's {@code spring.threads.virtual.enabled} does), false
     * for a bounded pool of platform threads, null (the default) for virtual threads when the JVM
     * has them.
     */
    public EngineBuilder virtualThreads(Boolean enabled) {
        this.virtualThreads = enabled;
        return this;
    }

    /** Fires the {@code reload} hooks when the process receives SIGHUP, as nginx reloads (off by default). */
    public EngineBuilder reloadOnSighup(boolean enabled) {
        this.reloadOnSighup = enabled;
        return this;
    }

    public EngineBuilder module(Module module) {
        modules.add(new Named(null, Objects.requireNonNull(module, "module")));
        return this;
    }

    /**
     * A module whose handlers and filters are named {@code name/...} in pipeline dumps and
     * errors (the starter passes the bean's name).
     */
    public EngineBuilder module(String name, Module module) {
        modules.add(new Named(Objects.requireNonNull(name, "name"), Objects.requireNonNull(module, "module")));
        return this;
    }

    /**
     * The config records known so far: the core directives' ({@link CoreModule#CONFIG}), then
     * every module's {@link Module#configs()} in the order modules were added (built-ins first).
     */
    public List<ConfigSpec<?>> configs() {
        return Compiler.specs(modules);
    }

    public EngineBuilder handler(Phase phase, Handler handler) {
        return handler(HandlerDefinition.of(phase, handler));
    }

    public EngineBuilder handler(HandlerDefinition handler) {
        handlers.add(Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /** A content handler for every location where {@code spec} is configured. */
    public EngineBuilder contentHandler(ConfigSpec<?> spec, String name, Handler handler) {
        contentHandlers.add(new ContentHandler(spec, new HandlerDefinition(Phase.CONTENT, 0, name, handler, false, null)));
        return this;
    }

    /** A header filter at {@code order} (lower runs first; see {@code Order}), named after its class. */
    public EngineBuilder headerFilter(int order, HeaderFilter filter) {
        return headerFilter(new HeaderFilterDefinition(order, null, filter));
    }

    /** A body filter at {@code order} (lower runs first; see {@code Order}), named after its class. */
    public EngineBuilder bodyFilter(int order, BodyFilter filter) {
        return bodyFilter(new BodyFilterDefinition(order, null, filter));
    }

    public EngineBuilder headerFilter(HeaderFilterDefinition filter) {
        headerFilters.add(Objects.requireNonNull(filter, "filter"));
        return this;
    }

    public EngineBuilder bodyFilter(BodyFilterDefinition filter) {
        bodyFilters.add(Objects.requireNonNull(filter, "filter"));
        return this;
    }

    public EngineBuilder hook(Hook hook) {
        hooks.add(Objects.requireNonNull(hook, "hook"));
        return this;
    }

    /** Raw access to the Netty bootstrap of every listening socket, applied after the engine's own settings. */
    public EngineBuilder bootstrap(Consumer<ServerBootstrap> customizer) {
        bootstrapCustomizers.add(customizer);
        return this;
    }

    /**
     * Binds and merges the configuration, lets every module register, and compiles one phase
     * pipeline per server and per location. What was given so far is frozen: a reload compiles
     * its configuration with the same modules, handlers, filters and hooks.
     *
     * @throws dev.modhttp.engine.config.ConfigException for a bad configuration
     * @throws EngineException for an invalid registration
     */
    public Engine build() {
        Compiler compiler = new Compiler(defaultListen, sslBundles, modules, handlers, contentHandlers, headerFilters,
                bodyFilters, hooks);
        BlockingExecutor blocking = new BlockingExecutor(blockingLimit, !Boolean.FALSE.equals(virtualThreads));
        return new Engine(compiler, raw, ioThreads, blocking, List.copyOf(bootstrapCustomizers), reloadOnSighup);
    }
}
