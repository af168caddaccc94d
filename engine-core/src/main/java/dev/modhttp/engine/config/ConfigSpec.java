package dev.modhttp.engine.config;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BinaryOperator;

/**
 * Declares one typed config record of a module: the key it binds from, the scopes at which
 * it may appear, its defaults and whether an inner scope inherits it. This is the
 * counterpart of an nginx module's conf struct with its directives and create/merge pair.
 *
 * <pre>{@code
 * record HelloConfig(String string, Boolean counter) {}
 *
 * static final ConfigSpec<HelloConfig> HELLO = ConfigSpec.block("hello", HelloConfig.class)
 *         .scopes(Scope.LOCATION)
 *         .defaults(new HelloConfig(null, false))
 *         .build();
 * }</pre>
 *
 * <p>A <em>block</em> spec binds from {@code hello: { string: ..., counter: ... }}. A
 * <em>flat</em> spec binds each of its components from a key of its own directly at the
 * scope ({@code root: ./public}), the way nginx's core directives are written.
 *
 * <table>
 *   <caption>Merge rules</caption>
 *   <tr><td>field unset (null) at a scope</td><td>taken from the enclosing scope, then from {@link #defaults()}</td></tr>
 *   <tr><td>collections</td><td>replaced as a whole, never concatenated</td></tr>
 *   <tr><td>{@code inherited(false)}</td><td>the record applies only where it is written (nginx's rewrite directives)</td></tr>
 * </table>
 *
 * <p>Every spec gets a small integer index when created; merged records are kept in arrays
 * indexed by it, so a handler reads its record in O(1).
 */
public final class ConfigSpec<R extends Record> {

    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

    private final int index;
    private final String key;
    private final Class<R> type;
    private final Set<Scope> scopes;
    private final R defaults;
    private final boolean inherited;
    private final RecordBinder<R> binder;
    private final BinaryOperator<R> merge;

    private ConfigSpec(Builder<R> b) {
        this.index = NEXT_INDEX.getAndIncrement();
        this.key = b.key;
        this.type = b.type;
        this.scopes = b.scopes;
        this.defaults = b.defaults;
        this.inherited = b.inherited;
        this.binder = new RecordBinder<>(type, scopes, key == null);
        this.merge = b.merge;
    }

    /** A record bound from the block under {@code key} (kebab-case). */
    public static <R extends Record> Builder<R> block(String key, Class<R> type) {
        return new Builder<>(Objects.requireNonNull(key, "key"), type);
    }

    /** A record whose components are each a key of their own at the scope. */
    public static <R extends Record> Builder<R> flat(Class<R> type) {
        return new Builder<>(null, type);
    }

    public int index() {
        return index;
    }

    /** The block key, or null for a flat spec. */
    public String key() {
        return key;
    }

    public boolean isFlat() {
        return key == null;
    }

    public Class<R> type() {
        return type;
    }

    public Set<Scope> scopes() {
        return scopes;
    }

    public R defaults() {
        return defaults;
    }

    public boolean inherited() {
        return inherited;
    }

    RecordBinder<R> binder() {
        return binder;
    }

    /** Merges a child record over its parent field by field: set fields win, unset ones fall back. */
    public R merge(R parent, R child) {
        if (child == null) {
            return parent;
        }
        if (parent == null) {
            return child;
        }
        return merge != null ? merge.apply(parent, child) : binder.merge(parent, child);
    }

    @Override
    public String toString() {
        return (key == null ? "flat " + type.getSimpleName() : key) + "#" + index;
    }

    public static final class Builder<R extends Record> {
        private final String key;
        private final Class<R> type;
        private Set<Scope> scopes = EnumSet.allOf(Scope.class);
        private R defaults;
        private boolean inherited = true;
        private BinaryOperator<R> merge;

        private Builder(String key, Class<R> type) {
            this.key = key;
            this.type = Objects.requireNonNull(type, "type");
            if (!type.isRecord()) {
                throw new IllegalArgumentException(type.getName() + " is not a record");
            }
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.getType().isPrimitive()) {
                    throw new IllegalArgumentException(type.getSimpleName() + "." + c.getName()
                            + " is primitive; config record fields must be nullable (use "
                            + "Integer, Boolean, ...) so that unset can fall back to the outer scope");
                }
            }
        }

        public Builder<R> scopes(Scope... scopes) {
            if (scopes.length == 0) {
                throw new IllegalArgumentException("a config record needs at least one scope");
            }
            this.scopes = EnumSet.copyOf(Arrays.asList(scopes));
            return this;
        }

        public Builder<R> defaults(R defaults) {
            this.defaults = defaults;
            return this;
        }

        /** Whether inner scopes inherit the record (default true). */
        public Builder<R> inherited(boolean inherited) {
            this.inherited = inherited;
            return this;
        }

        /**
         * Replaces the field-wise merge (nginx's merge_loc_conf written by hand), for records
         * whose collections combine across scopes; called with (outer, inner), both non-null.
         */
        public Builder<R> merge(BinaryOperator<R> merge) {
            this.merge = merge;
            return this;
        }

        public ConfigSpec<R> build() {
            return new ConfigSpec<>(this);
        }
    }
}
