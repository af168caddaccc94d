package dev.modhttp.engine.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Binds raw config values to one record type and merges two instances field by field. */
final class RecordBinder<R extends Record> {

    private final Class<R> type;
    private final RecordComponent[] components;
    private final String[] keys;
    private final String[] canonicalKeys;
    private final List<Set<Scope>> componentScopes = new ArrayList<>();
    private final Constructor<R> constructor;

    RecordBinder(Class<R> type, Set<Scope> specScopes, boolean flat) {
        this.type = type;
        this.components = type.getRecordComponents();
        this.keys = new String[components.length];
        this.canonicalKeys = new String[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            keys[i] = ValueConverter.kebab(c.getName());
            canonicalKeys[i] = ValueConverter.canonical(c.getName());
            types[i] = c.getType();
            Scopes narrowed = c.getAnnotation(Scopes.class);
            Set<Scope> scopes = specScopes == null ? EnumSet.allOf(Scope.class) : EnumSet.copyOf(specScopes);
            if (flat && narrowed != null) {
                scopes = EnumSet.noneOf(Scope.class);
                for (Scope s : narrowed.value()) {
                    scopes.add(s);
                }
            }
            componentScopes.add(scopes);
        }
        try {
            this.constructor = type.getDeclaredConstructor(types);
            this.constructor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("no canonical constructor on " + type, e);
        }
    }

    int size() {
        return components.length;
    }

    String key(int i) {
        return keys[i];
    }

    String canonicalKey(int i) {
        return canonicalKeys[i];
    }

    Set<Scope> scopesOf(int i) {
        return componentScopes.get(i);
    }

    /** Index of the component with this canonical key, or -1. */
    int indexOf(String canonicalKey) {
        for (int i = 0; i < canonicalKeys.length; i++) {
            if (canonicalKeys[i].equals(canonicalKey)) {
                return i;
            }
        }
        return -1;
    }

    /** Binds a block: every key must be a component. Throws {@link KeyError} naming the key. */
    R bindBlock(Map<String, Object> raw) {
        Object[] values = new Object[components.length];
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            int i = indexOf(ValueConverter.canonical(e.getKey()));
            if (i < 0) {
                throw new KeyError(e.getKey(), "unknown key" + Suggest.nearest(e.getKey(), List.of(keys)));
            }
            values[i] = convert(i, e.getValue());
        }
        return construct(values);
    }

    Object convert(int i, Object raw) {
        try {
            return ValueConverter.convert(raw, components[i].getGenericType());
        } catch (ValueConverter.BadValue e) {
            throw new KeyError(keys[i], e.getMessage());
        }
    }

    R construct(Object[] values) {
        try {
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            throw new KeyError(keyNamedIn(message, values), message);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The key a record's own check names in its message ("http2-chunk-size must be..."), the
     * first one named among those given a value, so that the error names that property; null
     * when it names none.
     */
    private String keyNamedIn(String message, Object[] values) {
        String named = null;
        int first = Integer.MAX_VALUE;
        for (int i = 0; i < keys.length; i++) {
            if (values[i] == null) {
                continue;
            }
            int at = message.indexOf(keys[i]);
            while (at >= 0) {
                int end = at + keys[i].length();
                boolean word = (at == 0 || !keyChar(message.charAt(at - 1)))
                        && (end == message.length() || !keyChar(message.charAt(end)));
                if (word) {
                    break;
                }
                at = message.indexOf(keys[i], at + 1);
            }
            if (at >= 0 && at < first) {
                first = at;
                named = keys[i];
            }
        }
        return named;
    }

    private static boolean keyChar(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-';
    }

    Object get(R record, int i) {
        try {
            return components[i].getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    R merge(R parent, R child) {
        Object[] values = new Object[components.length];
        boolean sameAsChild = true;
        for (int i = 0; i < components.length; i++) {
            Object c = get(child, i);
            values[i] = c != null ? c : get(parent, i);
            sameAsChild &= c != null;
        }
        return sameAsChild ? child : construct(values);
    }

    Class<R> type() {
        return type;
    }

    /** A binding error for one key (or the whole record when key is null). */
    static final class KeyError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String key;

        KeyError(String key, String message) {
            super(message);
            this.key = key;
        }
    }
}
