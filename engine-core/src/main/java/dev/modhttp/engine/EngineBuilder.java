package dev.modhttp.engine;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Pcre;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Hooks;
import dev.modhttp.engine.module.HandlerRegistration;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.modules.access.AccessModule;
import dev.modhttp.engine.modules.auth.AuthBasicModule;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.TempDirectories;
import dev.modhttp.engine.core.SslBundleSource;
import dev.modhttp.engine.modules.limit.LimitConnModule;
import dev.modhttp.engine.modules.limit.LimitReqModule;
import dev.modhttp.engine.modules.log.AccessLogModule;
import dev.modhttp.engine.modules.proxy.ProxyModule;
import dev.modhttp.engine.modules.realip.RealIpModule;
import dev.modhttp.engine.modules.status.StubStatusModule;
import dev.modhttp.engine.modules.compression.CompressionModule;
import dev.modhttp.engine.modules.headers.HeadersModule;
import dev.modhttp.engine.modules.rewrite.ReturnModule;
import dev.modhttp.engine.modules.rewrite.RewriteModule;
import dev.modhttp.engine.modules.staticfiles.StaticModule;
import dev.modhttp.engine.modules.staticfiles.TryFilesModule;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.exchange.Pipeline;
import dev.modhttp.engine.variable.Variable;
import dev.modhttp.engine.variable.Variables;
import io.netty.bootstrap.ServerBootstrap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

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
 * </table>
 */
public final class EngineBuilder {

    private Map<String, ?> raw = Map.of();
    private String defaultListen = "8080";
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private int blockingLimit = 1024;
    private boolean reloadOnSighup;
    private SslBundleSource sslBundles;
    private final List<Named> modules = builtInModules();
    private final List<HandlerDefinition> handlers = new ArrayList<>();
    private final List<ContentHandler> contentHandlers = new ArrayList<>();
    private final List<HeaderFilterDefinition> headerFilters = new ArrayList<>();
    private final List<BodyFilterDefinition> bodyFilters = new ArrayList<>();
    private final List<Hook> hooks = new ArrayList<>();
    private final List<Consumer<ServerBootstrap>> bootstrapCustomizers = new ArrayList<>();

    record ContentHandler(ConfigSpec<?> spec, HandlerDefinition handler) {
    }

    /** A module and the name its registrations are prefixed with (null for none). */
    private record Named(String prefix, Module module) {
    }

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
        List<ConfigSpec<?>> specs = new ArrayList<>();
        specs.add(CoreModule.CONFIG);
        specs.add(CoreModule.SSL);
        specs.add(CoreModule.HTTP2);
        for (Named m : modules) {
            specs.addAll(m.module().configs());
        }
        return specs;
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
     * pipeline per server and per location.
     *
     * @throws dev.modhttp.engine.config.ConfigException for a bad configuration
     * @throws EngineException for an invalid registration
     */
    public Engine build() {
        List<ConfigSpec<?>> specs = configs();
        EngineConfig config = EngineConfig.load(raw, specs, defaultListen);
        Map<String, Variable> moduleVariables = new LinkedHashMap<>();
        for (Named named : modules) {
            Module m = named.module();
            m.variables().forEach((name, v) -> {
                if (moduleVariables.putIfAbsent(name, v) != null) {
                    throw new EngineException("module '" + (named.prefix() != null ? named.prefix() : m.name())
                            + "' defines variable \"$" + name
                            + "\", which another module already defines");
                }
            });
        }
        Map<String, Function<String, Variable>> modulePrefixes = new LinkedHashMap<>();
        for (Named named : modules) {
            named.module().variablePrefixes().forEach((prefix, f) -> {
                if (modulePrefixes.putIfAbsent(prefix, f) != null) {
                    throw new EngineException("module '" + (named.prefix() != null ? named.prefix() : named.module().name())
                            + "' defines variables \"$" + prefix + "NAME\", which another module already defines");
                }
            });
        }
        Variables variables;
        try {
            variables = Variables.with(moduleVariables, modulePrefixes).withCaptures(captureGroups(config));
        } catch (IllegalArgumentException e) {
            throw new EngineException(e.getMessage());
        }
        List<HandlerDefinition> allHandlers = new ArrayList<>();
        List<ContentHandler> allContent = new ArrayList<>();
        List<HeaderFilterDefinition> allHeaderFilters = new ArrayList<>();
        List<BodyFilterDefinition> allBodyFilters = new ArrayList<>();
        List<Hook> allHooks = new ArrayList<>();
        Hooks[] runtimeHooks = new Hooks[1]; // set once the engine is assembled; used only at request time
        Hooks deferred = new Hooks() {
            @Override
            public HookResult docroot(HttpExchange exchange) {
                return runtimeHooks[0].docroot(exchange);
            }

            @Override
            public HookResult physicalPath(HttpExchange exchange) {
                return runtimeHooks[0].physicalPath(exchange);
            }
        };
        for (ServerConfig server : config.servers()) {
            server.scope().forEach(l -> TempDirectories.prepare(l, "client-body-temp-path",
                    at -> at.config(CoreModule.CONFIG).clientBodyTempPath()));
        }
        for (Named named : modules) {
            ModuleRegistry registry = new ModuleRegistry(config, variables, deferred);
            named.module().register(registry);
            String defaultName = named.module().name();
            for (HandlerRegistration h : registry.handlers()) {
                HandlerDefinition d = h.definition(named.prefix(), defaultName);
                if (h.contentOf() != null) {
                    allContent.add(new ContentHandler(h.contentOf(), d));
                } else {
                    allHandlers.add(d);
                }
            }
            allHeaderFilters.addAll(registry.headerFilters(named.prefix(), defaultName));
            allBodyFilters.addAll(registry.bodyFilters(named.prefix(), defaultName));
            allHooks.addAll(registry.registeredHooks());
        }
        allHandlers.addAll(handlers);
        allContent.addAll(contentHandlers);
        allHeaderFilters.addAll(headerFilters);
        allBodyFilters.addAll(bodyFilters);
        allHooks.addAll(hooks);
        for (HandlerDefinition h : allHandlers) {
            if (!h.phase().takesHandlers()) {
                throw new EngineException("handler '" + h.name() + "' is registered in phase " + h.phase()
                        + ", which runs only the engine's own step; use one of "
                        + "POST_READ, SERVER_REWRITE, REWRITE, PREACCESS, ACCESS, PRECONTENT, CONTENT, LOG");
            }
        }
        for (ContentHandler c : allContent) {
            if (!specs.contains(c.spec())) {
                throw new EngineException("content handler '" + c.handler().name() + "' needs config '" + c.spec().key()
                        + "', which no module declares");
            }
        }
        Map<String, List<String>> dump = new LinkedHashMap<>();
        Pipeline[] compiled = new Pipeline[config.locationCount()];
        for (ServerConfig server : config.servers()) {
            Location scope = server.scope();
            Pipeline sp = Pipeline.forServer(scope, allHandlers, contentHandlerFor(scope, allContent));
            compiled[scope.id()] = sp;
            dump.put(server.path(), sp.describe());
            for (Location top : scope.children()) {
                top.forEach(l -> {
                    Pipeline p = Pipeline.forLocation(l, allHandlers, contentHandlerFor(l, allContent));
                    compiled[l.id()] = p;
                    dump.put(l.path() + " " + l.pattern(), p.describe());
                });
            }
        }
        Engine engine = new Engine(config, List.copyOf(specs), allHeaderFilters, allBodyFilters, allHooks, compiled,
                dump, ioThreads, blockingLimit, List.copyOf(bootstrapCustomizers), reloadOnSighup, sslBundles,
                modules.stream().map(Named::module).toList());
        runtimeHooks[0] = engine.moduleHooks();
        return engine;
    }

    private static List<Named> builtInModules() {
        StaticModule files = new StaticModule(); // try-files maps its entries as the static module maps files
        List<Named> named = new ArrayList<>();
        for (Module m : List.of(new RewriteModule(), new ReturnModule(), new TryFilesModule(files), files,
                new HeadersModule(), new CompressionModule(), new RealIpModule(), new LimitReqModule(),
                new LimitConnModule(), new AccessModule(), new AuthBasicModule(), new StubStatusModule(),
                new ProxyModule(), new AccessLogModule())) {
            named.add(new Named(null, m));
        }
        return named;
    }

    /** The named groups of every regex of the config: locations, rewrites, server names (nginx makes each a variable). */
    private static Set<String> captureGroups(EngineConfig config) {
        Set<String> groups = new HashSet<>();
        for (ServerConfig server : config.servers()) {
            for (int i = 0; i < server.names().size(); i++) {
                String name = server.names().get(i).trim();
                if (name.startsWith("~")) {
                    try {
                        groups.addAll(Pcre.groupNames(Pcre.compile(Location.toByteString(name.substring(1)), true)));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(server.path(), "server-names[" + i + "]",
                                "'" + name + "' is not a valid regular expression: " + e.getMessage());
                    }
                }
            }
            server.scope().forEach(l -> {
                if (l.regex() != null) {
                    groups.addAll(Pcre.groupNames(l.regex()));
                }
                RewriteModule.RewriteConfig rewrites = l.config(RewriteModule.CONFIG);
                if (rewrites != null && rewrites.rewrite() != null) {
                    rewrites.rewrite().forEach(rw -> groups.addAll(Pcre.groupNames(rw.regex())));
                }
            });
        }
        return groups;
    }

    private static HandlerDefinition contentHandlerFor(Location l, List<ContentHandler> all) {
        ContentHandler found = null;
        for (ContentHandler c : all) {
            if (l.isConfigured(c.spec())) {
                if (found != null) {
                    throw new EngineException("location '" + l.pattern() + "' (" + l.path()
                            + ") is claimed by two content handlers: '" + found.handler().name() + "' and '"
                            + c.handler().name() + "'");
                }
                found = c;
            }
        }
        return found == null ? null : found.handler();
    }
}
