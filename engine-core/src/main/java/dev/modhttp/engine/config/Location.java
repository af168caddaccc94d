package dev.modhttp.engine.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code location} block, with its nested locations and its merged config records.
 *
 * <p>Patterns use nginx's syntax: {@code "= /exact"}, {@code "^~ /prefix"} (a prefix that
 * suppresses the regexes of its level), {@code "~ regex"}, {@code "~* regex"} (ASCII letters
 * compared case-insensitively), {@code "@name"} (reachable only by internal redirect) or a
 * plain {@code "/prefix"}. Patterns and URIs are compared as bytes: a pattern's UTF-8 bytes
 * against the bytes of the decoded, normalized URI.
 */
public final class Location {

    /** How a location's pattern is matched. */
    public enum Kind {
        EXACT, PREFIX, PREFIX_NOREGEX, REGEX, REGEX_CASELESS, NAMED,
        /** The pseudo location of a server block: the server scope itself. */
        SERVER
    }

    private final Kind kind;
    private final String name;
    private final String bytes;
    private final Pattern regex;
    /**
     * The regex's matcher for selection, one per thread, reset for each URI: selection keeps no
     * match, so it allocates none per request (a Matcher's arrays, about 170 bytes per regex tried).
     */
    private final ThreadLocal<Matcher> selector;
    private final String path;
    private final Location parent;
    private final Map<String, Location> exact = new HashMap<>();
    private final List<Location> prefixes = new ArrayList<>();
    private boolean autoRedirect;
    private final List<Location> regexes = new ArrayList<>();
    private final List<Location> children = new ArrayList<>();
    private Object[] records;
    private boolean[] configured;
    private int id = -1;

    private Location(Kind kind, String name, Pattern regex, String path, Location parent) {
        this.kind = kind;
        this.name = name;
        this.bytes = toByteString(name);
        this.regex = regex;
        this.selector = regex == null ? null : ThreadLocal.withInitial(() -> regex.matcher(""));
        this.path = path;
        this.parent = parent;
    }

    /** The pseudo location standing for a server block's own scope. */
    static Location server(String path) {
        return new Location(Kind.SERVER, "", null, path, null);
    }

    /** Parses {@code pattern} and adds the location below {@code parent}, checking nginx's nesting rules. */
    static Location parse(String pattern, String path, Location parent) {
        String p = pattern == null ? "" : pattern.trim();
        Kind kind;
        String name;
        if (p.startsWith("@")) {
            kind = Kind.NAMED;
            name = p;
        } else if (p.startsWith("=")) {
            kind = Kind.EXACT;
            name = p.substring(1).trim();
        } else if (p.startsWith("^~")) {
            kind = Kind.PREFIX_NOREGEX;
            name = p.substring(2).trim();
        } else if (p.startsWith("~*")) {
            kind = Kind.REGEX_CASELESS;
            name = p.substring(2).trim();
        } else if (p.startsWith("~")) {
            kind = Kind.REGEX;
            name = p.substring(1).trim();
        } else {
            kind = Kind.PREFIX;
            name = p;
        }
        if (name.isEmpty() || kind == Kind.NAMED && name.length() == 1) {
            throw new ConfigException(path, "location",
                    "'" + pattern + "' is not a location pattern (expected \"[= | ^~ | ~ | ~*] pattern\" or \"@name\")");
        }
        Pattern regex = null;
        if (kind == Kind.REGEX || kind == Kind.REGEX_CASELESS) {
            try {
                // the pattern sees the URI's bytes, one char per byte, as a byte-oriented PCRE would
                regex = Pcre.compile(toByteString(name), kind == Kind.REGEX_CASELESS);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(path, "location", "'" + pattern + "' is not a valid regular expression: "
                        + e.getMessage());
            }
        }
        Location loc = new Location(kind, name, regex, path, parent);
        parent.add(loc, pattern);
        return loc;
    }

    private void add(Location child, String pattern) {
        if (kind == Kind.EXACT) {
            throw new ConfigException(child.path, "location", "location '" + pattern
                    + "' cannot be inside the exact location '" + name + "'");
        }
        if (kind == Kind.NAMED) {
            throw new ConfigException(child.path, "location", "location '" + pattern
                    + "' cannot be inside the named location '" + name + "'");
        }
        if (child.kind == Kind.NAMED && kind != Kind.SERVER) {
            throw new ConfigException(child.path, "location", "named location '" + pattern
                    + "' can be on the server level only");
        }
        boolean childIsRegex = child.regex != null;
        if (kind != Kind.SERVER && child.kind != Kind.NAMED && !childIsRegex && !child.name.startsWith(name)) {
            throw new ConfigException(child.path, "location", "location '" + pattern
                    + "' is outside location '" + name + "'");
        }
        switch (child.kind) {
            case EXACT -> {
                if (exact.putIfAbsent(child.bytes, child) != null) {
                    throw duplicate(child, pattern);
                }
            }
            case PREFIX, PREFIX_NOREGEX -> {
                for (Location other : prefixes) {
                    if (other.bytes.equals(child.bytes)) {
                        throw duplicate(child, pattern);
                    }
                }
                prefixes.add(child);
                prefixes.sort(Comparator.comparingInt((Location l) -> l.bytes.length()).reversed());
            }
            case REGEX, REGEX_CASELESS -> regexes.add(child);
            default -> {
                // named locations are kept by the server's name table
            }
        }
        children.add(child);
    }

    private static ConfigException duplicate(Location child, String pattern) {
        return new ConfigException(child.path, "location", "duplicate location '" + pattern + "'");
    }

    /**
     * Selects the location for a normalized URI (given as a byte string) below this one,
     * exactly as nginx does: an exact match wins at once; otherwise the longest prefix is
     * remembered and its nested locations searched; then, unless the prefix found at this
     * level is {@code ^~}, this level's regexes in order (after any nested ones), the first
     * match winning and its own nested locations searched in turn.
     *
     * @return the selected location, or null when no location matches (the server scope then serves)
     */
    public Location select(String uriBytes) {
        Location[] found = FOUND.get();
        find(this, uriBytes, found, null);
        Location selected = found[0];
        found[0] = null;
        return selected;
    }

    /** Like {@link #select}, recording each step of the search into {@code trace}, for diagnostics. */
    public Location explain(String uriBytes, List<String> trace) {
        Location[] found = new Location[1];
        find(this, uriBytes, found, trace);
        trace.add(found[0] == null ? "no location matches: the server's own configuration serves it"
                : "selected " + found[0].pattern()
                + " (" + found[0].path() + ")");
        return found[0];
    }

    /** The search's result slot, one per thread rather than one per request. */
    private static final ThreadLocal<Location[]> FOUND = ThreadLocal.withInitial(() -> new Location[1]);
    private static final int DECLINED = 0;
    private static final int OK = 2;

    private static int find(Location level, String uri, Location[] found, List<String> trace) {
        if (level.regex != null) {
            // nginx builds its tree of exact and prefix locations only below prefix locations:
            // below a regex location only the nested regexes are ever tried
            return findRegex(level, uri, found, trace, DECLINED);
        }
        Location hit = level.exact.isEmpty() ? null : level.exact.get(uri);
        if (hit != null) {
            found[0] = hit;
            if (trace != null) {
                trace.add("exact match " + hit.pattern() + ": selected at once, no regex is tried");
            }
            return OK;
        }
        boolean noregex = false;
        int rc = DECLINED;
        for (int i = 0; i < level.prefixes.size(); i++) { // indexed: no iterator per level searched
            Location p = level.prefixes.get(i);
            if (p.autoRedirect && p.bytes.length() == uri.length() + 1 && p.bytes.startsWith(uri)
                    && level.prefixes.stream().noneMatch(q -> q.bytes.equals(uri))) {
                // nginx's auto_redirect: "/a" for a proxied "/a/" is answered 301 to "/a/", no regex tried
                found[0] = p;
                if (trace != null) {
                    trace.add(p.pattern() + " is the URI with a slash added: 301 to it (auto redirect)");
                }
                return OK;
            }
            if (uri.startsWith(p.bytes)) {
                found[0] = p;
                noregex = p.kind == Kind.PREFIX_NOREGEX;
                if (trace != null) {
                    trace.add("longest prefix at " + level + ": " + p.pattern() + (noregex
                            ? " (^~: the regexes of this level are skipped)" : " (remembered; regexes come next)"));
                }
                rc = find(p, uri, found, trace);
                if (rc == OK) {
                    return OK;
                }
                break;
            }
        }
        return noregex ? rc : findRegex(level, uri, found, trace, rc);
    }

    private static int findRegex(Location level, String uri, Location[] found, List<String> trace, int rc) {
        for (int i = 0; i < level.regexes.size(); i++) {
            Location r = level.regexes.get(i);
            if (r.selector.get().reset(uri).find()) {
                found[0] = r;
                if (trace != null) {
                    trace.add("regex " + r.pattern() + " matches: first match wins");
                }
                find(r, uri, found, trace);
                return OK;
            }
            if (trace != null) {
                trace.add("regex " + r.pattern() + " does not match");
            }
        }
        return rc;
    }

    /** The UTF-8 bytes of a string, one char per byte: the form URIs are matched in. */
    public static String toByteString(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    public Kind kind() {
        return kind;
    }

    /** The name or regex as written, without the modifier. */
    public String name() {
        return name;
    }

    /** The pattern as nginx would print it, e.g. {@code "^~ /images/"}. */
    public String pattern() {
        return switch (kind) {
            case EXACT -> "= " + name;
            case PREFIX_NOREGEX -> "^~ " + name;
            case REGEX -> "~ " + name;
            case REGEX_CASELESS -> "~* " + name;
            case SERVER -> "";
            default -> name;
        };
    }

    /** Where the location was configured, e.g. {@code servers[0].locations[2]}. */
    public String path() {
        return path;
    }

    public Location parent() {
        return parent;
    }

    public List<Location> children() {
        return Collections.unmodifiableList(children);
    }

    /**
     * nginx's auto_redirect: set by a module whose content handler serves this location (the
     * proxy's) when it is a prefix ending in {@code /}; a request for the name without its slash
     * is then answered 301 to the name, no regex tried. Set while the engine is built.
     */
    public void autoRedirect(boolean on) {
        this.autoRedirect = on && (kind == Kind.PREFIX || kind == Kind.PREFIX_NOREGEX) && name.endsWith("/");
    }

    /** Whether {@code uriBytes} selected this location only to be redirected to its name (see {@link #autoRedirect}). */
    public boolean redirectsTo(String uriBytes) {
        return autoRedirect && uriBytes.length() < bytes.length();
    }

    /** The compiled regex, or null for non-regex locations. */
    public Pattern regex() {
        return regex;
    }

    /** The merged record of {@code spec} here, or its default when never configured. */
    @SuppressWarnings("unchecked")
    public <R extends Record> R config(ConfigSpec<R> spec) {
        Object[] r = records;
        int i = spec.index();
        return i < r.length ? (R) r[i] : spec.defaults();
    }

    /** Whether {@code spec} was written at this location or at a scope it inherits from. */
    public boolean isConfigured(ConfigSpec<?> spec) {
        int i = spec.index();
        return i < configured.length && configured[i];
    }

    void setRecords(Object[] records, boolean[] configured) {
        this.records = records;
        this.configured = configured;
    }

    /**
     * A number unique among the scopes of one configuration, from 0 (server scopes, locations
     * and named locations alike), for tables indexed by scope.
     */
    public int id() {
        return id;
    }

    void id(int id) {
        this.id = id;
    }

    /** Visits this location and every location nested in it. */
    public void forEach(Consumer<Location> action) {
        action.accept(this);
        for (Location c : children) {
            c.forEach(action);
        }
    }

    @Override
    public String toString() {
        return kind == Kind.SERVER ? "server " + path : "location " + pattern();
    }
}
