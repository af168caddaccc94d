package dev.modhttp.engine;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Pcre;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.ErrorPage;
import dev.modhttp.engine.core.SslBundleSource;
import dev.modhttp.engine.core.TempDirectories;
import dev.modhttp.engine.exchange.EngineRuntime;
import dev.modhttp.engine.exchange.Pipeline;
import dev.modhttp.engine.filter.BodyFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilterDefinition;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.CarriedState;
import dev.modhttp.engine.module.HandlerRegistration;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Hooks;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.modules.access.AccessModule;
import dev.modhttp.engine.modules.auth.AuthBasicModule;
import dev.modhttp.engine.modules.compression.CompressionModule;
import dev.modhttp.engine.modules.headers.HeadersModule;
import dev.modhttp.engine.modules.limit.LimitConnModule;
import dev.modhttp.engine.modules.limit.LimitReqModule;
import dev.modhttp.engine.modules.log.AccessLogModule;
import dev.modhttp.engine.modules.proxy.ProxyModule;
import dev.modhttp.engine.modules.realip.RealIpModule;
import dev.modhttp.engine.modules.rewrite.ReturnModule;
import dev.modhttp.engine.modules.rewrite.RewriteModule;
import dev.modhttp.engine.modules.staticfiles.StaticModule;
import dev.modhttp.engine.modules.staticfiles.TryFilesModule;
import dev.modhttp.engine.modules.status.StubStatusModule;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.tls.TlsContexts;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variable;
import dev.modhttp.engine.variable.Variables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a raw configuration tree into a {@link Generation}: binds and merges it, lets every
 * module register (the built-in ones made anew, the user's registered again), and compiles one
 * phase pipeline per server and per location. What the builder was given is frozen here, so that
 * a reload compiles with the same modules, handlers, filters and hooks as the start did.
 */
final class Compiler {

    /** A module and the name its registrations are prefixed with (null for none). */
    record Named(String prefix, Module module) {
    }

    record ContentHandler(ConfigSpec<?> spec, HandlerDefinition handler) {
    }

    /** The configuration a generation serves and everything compiled from it. */
    record Generation(EngineConfig config, EngineRuntime runtime, TlsContexts tls, List<Hook> hooks,
            Map<String, List<String>> pipelines, List<Module> modules, CarriedState carried) {

        long number() {
            return runtime.generation();
        }
    }

    private final String defaultListen;
    private final SslBundleSource sslBundles;
    private final List<Named> userModules;
    private final List<HandlerDefinition> handlers;
    private final List<ContentHandler> contentHandlers;
    private final List<HeaderFilterDefinition> headerFilters;
    private final List<BodyFilterDefinition> bodyFilters;
    private final List<Hook> hooks;

    Compiler(String defaultListen, SslBundleSource sslBundles, List<Named> userModules, List<HandlerDefinition> handlers,
            List<ContentHandler> contentHandlers, List<HeaderFilterDefinition> headerFilters,
            List<BodyFilterDefinition> bodyFilters, List<Hook> hooks) {
        this.defaultListen = defaultListen;
        this.sslBundles = sslBundles;
        this.userModules = List.copyOf(userModules);
        this.handlers = List.copyOf(handlers);
        this.contentHandlers = List.copyOf(contentHandlers);
        this.headerFilters = List.copyOf(headerFilters);
        this.bodyFilters = List.copyOf(bodyFilters);
        this.hooks = List.copyOf(hooks);
    }

    /** Whether a raw tree has a server: a reload of one without any, over one with some, is refused. */
    static boolean hasServers(Map<String, ?> tree) {
        return tree != null && tree.get("servers") instanceof List<?> servers && !servers.isEmpty();
    }

    /** The config records of the core, the built-in modules and the user's, in that order. */
    List<ConfigSpec<?>> specs() {
        return specs(userModules);
    }

    static List<ConfigSpec<?>> specs(List<Named> userModules) {
        List<ConfigSpec<?>> specs = new ArrayList<>();
        specs.add(CoreModule.CONFIG);
        specs.add(CoreModule.SSL);
        specs.add(CoreModule.HTTP2);
        for (Named m : builtInModules()) {
            specs.addAll(m.module().configs());
        }
        for (Named m : userModules) {
            specs.addAll(m.module().configs());
        }
        return specs;
    }

    /**
     * Compiles generation {@code number} of {@code raw}; nothing it makes is used until the
     * engine installs it, and what it took from {@code carried} is released when it fails.
     *
     * @throws ConfigException for a bad configuration
     * @throws EngineException for an invalid registration
     */
    Generation compile(Map<String, ?> raw, long number, EngineRuntime.Shared shared, CarriedState carried) {
        List<Named> modules = new ArrayList<>(builtInModules());
        modules.addAll(userModules);
        List<ConfigSpec<?>> specs = specs();
        EngineConfig config = EngineConfig.load(raw, specs, defaultListen);
        Variables variables = variables(config, modules);
        List<HandlerDefinition> allHandlers = new ArrayList<>();
        List<ContentHandler> allContent = new ArrayList<>();
        List<HeaderFilterDefinition> allHeaderFilters = new ArrayList<>();
        List<BodyFilterDefinition> allBodyFilters = new ArrayList<>();
        List<Hook> allHooks = new ArrayList<>();
        Hooks[] runtimeHooks = new Hooks[1]; // set once the generation is assembled; used only at request time
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
            ModuleRegistry registry = new ModuleRegistry(config, variables, deferred, carried);
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
        EngineRuntime runtime = new EngineRuntime(number, shared, config, compiled, allHooks, allHeaderFilters,
                allBodyFilters);
        runtime.errorPageTargets(errorPageTargets(config, variables, deferred, carried));
        runtimeHooks[0] = runtime.moduleHooks();
        TlsContexts tls = TlsContexts.build(config, sslBundles);
        return new Generation(config, runtime, tls, List.copyOf(allHooks), Collections.unmodifiableMap(dump),
                modules.stream().map(Named::module).toList(), carried);
    }

    /** The error page URIs with variables ({@code /errors/$status.html}), compiled; an unknown one fails startup. */
    private static Map<ErrorPage, Template> errorPageTargets(EngineConfig config, Variables variables,
            Hooks deferred, CarriedState carried) {
        Map<ErrorPage, Template> targets = new HashMap<>();
        new ModuleRegistry(config, variables, deferred, carried).compileEach(CoreModule.CONFIG, "error-page", c -> {
            for (ErrorPage p : c.errorPage()) {
                if (p.target().indexOf('$') >= 0) {
                    targets.computeIfAbsent(p, k -> variables.compile(k.target()));
                }
            }
            return Boolean.TRUE;
        });
        return targets;
    }

    private static Variables variables(EngineConfig config, List<Named> modules) {
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
        try {
            return Variables.with(moduleVariables, modulePrefixes).withCaptures(captureGroups(config));
        } catch (IllegalArgumentException e) {
            throw new EngineException(e.getMessage());
        }
    }

    /** The built-in modules, made anew for each generation: what they compile stays with it. */
    static List<Named> builtInModules() {
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
