package dev.modhttp.engine.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The whole configuration, bound and merged: built once from a raw tree (maps, lists and
 * scalars, as YAML or Spring's binder produce them) and the config specs of the modules.
 *
 * <pre>
 * engine:                      main scope
 *   servers:
 *     - listen: [8080]         server scope (listen, server-names are structural)
 *       locations:
 *         - location: "/"      location scope, nested through "locations"
 * </pre>
 *
 * Unknown keys, keys at a scope their module does not allow and invalid values fail with a
 * {@link ConfigException} naming the key and its scope path.
 */
public final class EngineConfig {

    private static final Set<String> MAIN_STRUCTURE = Set.of("servers");
    private static final Set<String> SERVER_STRUCTURE = Set.of("listen", "servernames", "locations");
    private static final Set<String> LOCATION_STRUCTURE = Set.of("location", "locations");

    private final Object[] main;
    private final List<ServerConfig> servers;
    private final int locationCount;

    private EngineConfig(Object[] main, List<ServerConfig> servers) {
        this.main = main;
        this.servers = List.copyOf(servers);
        int[] next = {0};
        for (ServerConfig server : this.servers) {
            server.scope().forEach(l -> l.id(next[0]++));
        }
        this.locationCount = next[0];
    }

    public List<ServerConfig> servers() {
        return servers;
    }

    /**
     * How many scopes the servers hold (server scopes and every location, named ones too): each
     * {@link Location#id()} is below it.
     */
    public int locationCount() {
        return locationCount;
    }

    /** The main scope's merged record of {@code spec}. */
    @SuppressWarnings("unchecked")
    public <R extends Record> R main(ConfigSpec<R> spec) {
        return spec.index() < main.length ? (R) main[spec.index()] : spec.defaults();
    }

    /**
     * Binds and merges {@code raw} against {@code specs}.
     *
     * @param defaultListen where a server without {@code listen} listens
     */
    public static EngineConfig load(Map<String, ?> raw, Collection<ConfigSpec<?>> specs, String defaultListen) {
        return new Loader(specs).load(raw == null ? Map.of() : raw, defaultListen);
    }

    private static final class Entry {
        final ConfigSpec<?> spec;
        final int component; // -1 for a block spec

        Entry(ConfigSpec<?> spec, int component) {
            this.spec = spec;
            this.component = component;
        }

        String key() {
            return component < 0 ? spec.key() : spec.binder().key(component);
        }

        Set<Scope> scopes() {
            return component < 0 ? spec.scopes() : spec.binder().scopesOf(component);
        }
    }

    private static final class Loader {
        private final List<ConfigSpec<?>> specs;
        private final Map<String, Entry> keys = new HashMap<>();
        private final int size;

        Loader(Collection<ConfigSpec<?>> specs) {
            this.specs = List.copyOf(specs);
            int max = -1;
            for (ConfigSpec<?> spec : specs) {
                max = Math.max(max, spec.index());
                if (spec.isFlat()) {
                    for (int i = 0; i < spec.binder().size(); i++) {
                        register(spec.binder().canonicalKey(i), new Entry(spec, i));
                    }
                } else {
                    register(ValueConverter.canonical(spec.key()), new Entry(spec, -1));
                }
            }
            this.size = max + 1;
        }

        private void register(String canonical, Entry e) {
            Entry old = keys.putIfAbsent(canonical, e);
            if (old != null && old.spec != e.spec) {
                throw new IllegalStateException("config key '" + e.key() + "' is declared twice: by "
                        + old.spec.type().getName() + " and " + e.spec.type().getName());
            }
        }

        EngineConfig load(Map<String, ?> raw, String defaultListen) {
            raw = ValueConverter.asMap(raw);
            Object[] mainOwn = bindScope(raw, Scope.MAIN, "", MAIN_STRUCTURE);
            Object[] mainMerged = new Object[size];
            boolean[] mainSet = new boolean[size];
            for (ConfigSpec<?> spec : specs) {
                int i = spec.index();
                mainSet[i] = mainOwn[i] != null;
                mainMerged[i] = withDefaults(spec, mainOwn[i]);
            }
            List<ServerConfig> servers = new ArrayList<>();
            Object rawServers = get(raw, "servers"); // compared as every key is: "Servers" too
            List<?> serverList = rawServers == null ? List.of(Map.of()) : asList(rawServers, "", "servers");
            for (int s = 0; s < serverList.size(); s++) {
                String path = "servers[" + s + "]";
                Map<String, Object> server = asMap(serverList.get(s), "", path);
                servers.add(loadServer(server, path, mainOwn, mainSet, defaultListen));
            }
            return new EngineConfig(mainMerged, servers);
        }

        private ServerConfig loadServer(Map<String, Object> raw, String path, Object[] mainOwn, boolean[] mainSet,
                String defaultListen) {
            List<Listen> listens = new ArrayList<>();
            Object listen = get(raw, "listen");
            for (Object l : listen == null ? List.of(defaultListen) : asList(listen, path, "listen")) {
                try {
                    listens.add(Listen.parse(String.valueOf(l)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(path, "listen", e.getMessage());
                }
            }
            List<String> names = new ArrayList<>();
            Object rawNames = get(raw, "server-names");
            if (rawNames != null) {
                for (Object n : asList(rawNames, path, "server-names")) {
                    names.add(String.valueOf(n));
                }
            }
            Object[] own = bindScope(raw, Scope.SERVER, path, SERVER_STRUCTURE);
            Location scope = Location.server(path);
            Chain chain = new Chain(mainOwn, mainSet).then(own);
            scope.setRecords(chain.merged(), chain.set);
            Map<String, Location> named = new LinkedHashMap<>();
            loadLocations(raw, path, scope, chain, named);
            return new ServerConfig(path, listens, names, scope, named);
        }

        private void loadLocations(Map<String, Object> raw, String path, Location parent, Chain chain,
                Map<String, Location> named) {
            Object rawLocations = get(raw, "locations");
            if (rawLocations == null) {
                return;
            }
            List<?> list = asList(rawLocations, path, "locations");
            for (int i = 0; i < list.size(); i++) {
                String lpath = path + ".locations[" + i + "]";
                Map<String, Object> block = asMap(list.get(i), path, "locations[" + i + "]");
                Object pattern = get(block, "location");
                if (pattern == null) {
                    throw new ConfigException(lpath, "location",
                            "missing (expected \"[= | ^~ | ~ | ~*] pattern\" or \"@name\")");
                }
                Location loc = Location.parse(String.valueOf(pattern), lpath, parent);
                if (loc.kind() == Location.Kind.NAMED && named.put(loc.name(), loc) != null) {
                    throw new ConfigException(lpath, "location", "duplicate location '" + loc.name() + "'");
                }
                Chain inner = chain.then(bindScope(block, Scope.LOCATION, lpath, LOCATION_STRUCTURE));
                loc.setRecords(inner.merged(), inner.set);
                loadLocations(block, lpath, loc, inner, named);
            }
        }

        /** Records as written along one path of scopes, merged without defaults. */
        private final class Chain {
            final Object[] inheritable;
            final Object[] local;
            final boolean[] set;

            Chain(Object[] own, boolean[] set) {
                this.inheritable = own.clone();
                this.local = own.clone();
                this.set = set.clone();
            }

            private Chain(Object[] inheritable, Object[] local, boolean[] set) {
                this.inheritable = inheritable;
                this.local = local;
                this.set = set;
            }

            Chain then(Object[] own) {
                Object[] inh = new Object[size];
                Object[] loc = new Object[size];
                boolean[] s = new boolean[size];
                for (ConfigSpec<?> spec : specs) {
                    int i = spec.index();
                    inh[i] = mergeRaw(spec, inheritable[i], own[i]);
                    loc[i] = spec.inherited() ? inh[i] : own[i];
                    s[i] = loc[i] != null;
                }
                return new Chain(inh, loc, s);
            }

            Object[] merged() {
                Object[] out = new Object[size];
                for (ConfigSpec<?> spec : specs) {
                    out[spec.index()] = withDefaults(spec, local[spec.index()]);
                }
                return out;
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object mergeRaw(ConfigSpec spec, Object parent, Object child) {
            return spec.merge((Record) parent, (Record) child);
        }

        private static Object withDefaults(ConfigSpec<?> spec, Object value) {
            return spec.defaults() == null ? value : mergeRaw(spec, spec.defaults(), value);
        }

        /** Where a structural key belongs, for a key written at the wrong level; null for other keys. */
        private static String structuralPlace(String canonical) {
            return switch (canonical) {
                case "servers" -> "servers are listed at the main scope (engine.servers)";
                case "listen", "servernames" -> "it belongs to a server (engine.servers[N])";
                case "locations" -> "locations belong to a server or a location (engine.servers[N].locations)";
                case "location" -> "it names a location's pattern (engine.servers[N].locations[M].location)";
                default -> null;
            };
        }

        private Object[] bindScope(Map<String, ?> raw, Scope scope, String path, Set<String> structure) {
            Object[] own = new Object[size];
            Map<ConfigSpec<?>, Object[]> flatValues = new HashMap<>();
            for (Map.Entry<String, ?> e : raw.entrySet()) {
                String key = e.getKey();
                String canonical = ValueConverter.canonical(key);
                if (structure.contains(canonical)) {
                    continue;
                }
                Entry entry = keys.get(canonical);
                if (entry == null) {
                    String elsewhere = structuralPlace(canonical);
                    throw new ConfigException(path, key, elsewhere != null
                            ? "not a key at " + scopeName(scope) + " scope: " + elsewhere
                            : "unknown key" + Suggest.nearest(key, knownKeys(scope, structure)));
                }
                if (!entry.scopes().contains(scope)) {
                    throw new ConfigException(path, key, "not allowed at " + scopeName(scope)
                            + " scope (allowed at: " + scopeNames(entry.scopes()) + ")");
                }
                ConfigSpec<?> spec = entry.spec;
                if (entry.component >= 0) {
                    Object[] values = flatValues.computeIfAbsent(spec, s -> new Object[s.binder().size()]);
                    try {
                        values[entry.component] = spec.binder().convert(entry.component, e.getValue());
                    } catch (RecordBinder.KeyError ke) {
                        throw new ConfigException(path, key, ke.getMessage());
                    }
                } else {
                    own[spec.index()] = bindBlock(spec, e.getValue(), path, key);
                }
            }
            for (Map.Entry<ConfigSpec<?>, Object[]> e : flatValues.entrySet()) {
                try {
                    own[e.getKey().index()] = e.getKey().binder().construct(e.getValue());
                } catch (RecordBinder.KeyError ke) {
                    throw new ConfigException(path, ke.key, ke.getMessage()); // the key the check names, if any
                }
            }
            return own;
        }

        private static Object bindBlock(ConfigSpec<?> spec, Object value, String path, String key) {
            try {
                if (!(value instanceof Map) && ValueConverter.parseMethod(spec.type()) != null) {
                    return ValueConverter.convert(value, spec.type());
                }
                if (!(value instanceof Map) && spec.binder().size() == 1) {
                    // a one-field record binds from the bare value: "try-files: [$uri, /index.html]"
                    return spec.binder().construct(new Object[] {spec.binder().convert(0, value)});
                }
                return spec.binder().bindBlock(ValueConverter.asMap(value));
            } catch (RecordBinder.KeyError ke) {
                throw new ConfigException(path, ke.key == null ? key : key + "." + ke.key, ke.getMessage());
            } catch (ValueConverter.BadValue bv) {
                throw new ConfigException(path, key, bv.getMessage());
            }
        }

        private List<String> knownKeys(Scope scope, Set<String> structure) {
            List<String> known = new ArrayList<>();
            for (Entry e : keys.values()) {
                if (e.scopes().contains(scope)) {
                    known.add(e.key());
                }
            }
            known.addAll(switch (scope) {
                case MAIN -> List.of("servers");
                case SERVER -> List.of("listen", "server-names", "locations");
                case LOCATION -> List.of("location", "locations");
            });
            return known;
        }

        private static Object get(Map<String, ?> raw, String kebabKey) {
            String canonical = ValueConverter.canonical(kebabKey);
            for (Map.Entry<String, ?> e : raw.entrySet()) {
                if (ValueConverter.canonical(e.getKey()).equals(canonical)) {
                    return e.getValue();
                }
            }
            return null;
        }

        private static List<?> asList(Object raw, String path, String key) {
            try {
                return ValueConverter.asList(raw);
            } catch (ValueConverter.BadValue e) {
                throw new ConfigException(path, key, e.getMessage());
            }
        }

        private static Map<String, Object> asMap(Object raw, String path, String key) {
            try {
                return ValueConverter.asMap(raw);
            } catch (ValueConverter.BadValue e) {
                throw new ConfigException(path, key, e.getMessage());
            }
        }

        private static String scopeName(Scope s) {
            return s.name().toLowerCase(Locale.ROOT);
        }

        private static String scopeNames(Set<Scope> scopes) {
            List<String> names = new ArrayList<>();
            for (Scope s : scopes) {
                names.add(scopeName(s));
            }
            return names.isEmpty() ? "none" : String.join(", ", names);
        }
    }
}
