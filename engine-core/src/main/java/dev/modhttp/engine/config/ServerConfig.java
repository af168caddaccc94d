package dev.modhttp.engine.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One {@code servers[]} block: where it listens, the names it answers to, and its location
 * tree. {@link #scope()} is the pseudo location holding the server scope's merged records.
 */
public final class ServerConfig {

    private final String path;
    private final List<Listen> listens;
    private final List<String> names;
    private final Location scope;
    private final Map<String, Location> named;

    ServerConfig(String path, List<Listen> listens, List<String> names, Location scope, Map<String, Location> named) {
        this.path = path;
        this.listens = List.copyOf(listens);
        this.names = List.copyOf(names);
        this.scope = scope;
        this.named = Collections.unmodifiableMap(named);
    }

    public String path() {
        return path;
    }

    public List<Listen> listens() {
        return listens;
    }

    public List<String> names() {
        return names;
    }

    /** The server scope; its children are the top-level locations. */
    public Location scope() {
        return scope;
    }

    /** A named location ({@code @name}), or null. */
    public Location named(String name) {
        return named.get(name);
    }

    /** Selects the location for a normalized URI, or null when none matches. */
    public Location select(String uriBytes) {
        return scope.select(uriBytes);
    }

    @Override
    public String toString() {
        return "server " + path + " " + names + " " + listens;
    }
}
