package dev.modhttp.engine.module;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.filter.HeaderFilterDefinition;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.variable.Variables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one module registers into when the engine is built, one registry per module:
 *
 * <pre>{@code
 * public void register(ModuleRegistry registry) {
 *     registry.handler(Phase.ACCESS, this::check).order(Order.LATE).onlyWhere(CONFIG);
 *     registry.contentHandler(CONFIG, this::answer);
 *     registry.headerFilter(this::filter).order(Order.HEADERS);
 * }
 * }</pre>
 *
 * The engine creates it with the merged configuration and reads what was registered once the
 * module's {@link Module#register} returned.
 */
public final class ModuleRegistry {

    private final EngineConfig config;
    private final Variables variables;
    private final Hooks hooks;
    private final CarriedState carried;
    private final List<HandlerRegistration> handlers = new ArrayList<>();
    private final List<FilterRegistration<HeaderFilter>> headerFilters = new ArrayList<>();
    private final List<FilterRegistration<BodyFilter>> bodyFilters = new ArrayList<>();
    private final List<Hook> registeredHooks = new ArrayList<>();

    /**
     * @param hooks what a module's handlers fire hooks through (every hook registered by the
     *     time the engine runs)
     */
    public ModuleRegistry(EngineConfig config, Variables variables, Hooks hooks) {
        this(config, variables, hooks, new CarriedState());
    }

    /**
     * @param carried what the generation before left for this one (see {@link #carry})
     */
    public ModuleRegistry(EngineConfig config, Variables variables, Hooks hooks, CarriedState carried) {
        this.config = Objects.requireNonNull(config, "config");
        this.variables = Objects.requireNonNull(variables, "variables");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        this.carried = Objects.requireNonNull(carried, "carried");
    }

    /**
     * State that outlives a reload when its identity stays: the object the configuration before
     * made for an equal {@code identity}, else a new one from {@code create}. A module is
     * registered again with each reloaded configuration; what it compiles belongs in the
     * handlers it registers then, and what must survive the reload (counters, caches, pools,
     * open files) is taken here.
     *
     * <pre>{@code
     * KeyTable<Bucket> buckets = registry.carry(List.of("limit-req", zone.name(), zone.size(), zone.key()),
     *         () -> new KeyTable<>(zone.capacity()), null);
     * }</pre>
     *
     * @param identity compared with {@code equals}; include the module's name and everything the
     *     state depends on
     * @param closer called once no generation uses the object any more (its last request
     *     ended, or its configuration was refused); null for none
     */
    public <T> T carry(Object identity, Supplier<T> create, Consumer<? super T> closer) {
        return carried.take(identity, create, closer);
    }

    /** The merged configuration, for modules that precompute from it. */
    public EngineConfig config() {
        return config;
    }

    /** The variables every module may use in templates: the built-in ones and the modules'. */
    public Variables variables() {
        return variables;
    }

    /** Fires hooks from a module's handler. */
    public Hooks hooks() {
        return hooks;
    }

    /**
     * A handler of {@code phase} (POST_READ, SERVER_REWRITE, REWRITE, PREACCESS, ACCESS,
     * PRECONTENT, CONTENT or LOG), completed by the returned registration.
     */
    public HandlerRegistration handler(Phase phase, Handler handler) {
        HandlerRegistration r = new HandlerRegistration(phase, handler, null);
        handlers.add(r);
        return r;
    }

    /**
     * Makes {@code handler} the content handler of every location where {@code spec} is
     * configured (written there or inherited), before that location's CONTENT-phase handlers
     * (nginx's location content handler). Named after {@code spec}'s key.
     */
    public HandlerRegistration contentHandler(ConfigSpec<?> spec, Handler handler) {
        HandlerRegistration r = new HandlerRegistration(Phase.CONTENT, handler, Objects.requireNonNull(spec, "spec"));
        handlers.add(r);
        return r;
    }

    public FilterRegistration<HeaderFilter> headerFilter(HeaderFilter filter) {
        FilterRegistration<HeaderFilter> r = new FilterRegistration<>(filter);
        headerFilters.add(r);
        return r;
    }

    public FilterRegistration<BodyFilter> bodyFilter(BodyFilter filter) {
        FilterRegistration<BodyFilter> r = new FilterRegistration<>(filter);
        bodyFilters.add(r);
        return r;
    }

    public void hook(Hook hook) {
        registeredHooks.add(Objects.requireNonNull(hook, "hook"));
    }

    /**
     * Compiles something (templates, say) once for each distinct record of {@code spec} in the
     * configuration, so that handlers look it up by the record they are given. An
     * {@link IllegalArgumentException} from {@code compiler} fails startup naming the scope and
     * {@code key}.
     *
     * <pre>{@code
     * Map<ReturnConfig, Template> targets = registry.compileEach(CONFIG, "return",
     *         c -> registry.variables().compile(c.body()));
     * }</pre>
     */
    public <R extends Record, T> Map<R, T> compileEach(ConfigSpec<R> spec, String key, Function<R, T> compiler) {
        Map<R, T> compiled = new IdentityHashMap<>();
        forEachLocation(l -> {
            R record = l.isConfigured(spec) ? l.config(spec) : null;
            if (record != null && !compiled.containsKey(record)) {
                try {
                    compiled.put(record, compiler.apply(record));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(l.path(), key, e.getMessage(), e);
                }
            }
        });
        return compiled;
    }

    /** Visits every server scope and every location in it, outer scopes before the ones they hold. */
    public void forEachLocation(Consumer<Location> action) {
        for (ServerConfig server : config.servers()) {
            server.scope().forEach(action);
        }
    }

    /** The handlers registered so far, content handlers among them. */
    public List<HandlerRegistration> handlers() {
        return Collections.unmodifiableList(handlers);
    }

    /**
     * The header filters registered so far, as the engine compiles them: unnamed ones take
     * {@code defaultName}, and every name takes {@code prefix} (when not null).
     */
    public List<HeaderFilterDefinition> headerFilters(String prefix, String defaultName) {
        return headerFilters.stream().map(f -> f.define(HeaderFilterDefinition::new, prefix, defaultName)).toList();
    }

    /** The body filters registered so far, as {@link #headerFilters} gives the header filters. */
    public List<BodyFilterDefinition> bodyFilters(String prefix, String defaultName) {
        return bodyFilters.stream().map(f -> f.define(BodyFilterDefinition::new, prefix, defaultName)).toList();
    }

    /** The hooks registered so far. */
    public List<Hook> registeredHooks() {
        return Collections.unmodifiableList(registeredHooks);
    }
}
