package dev.modhttp.engine.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts raw config values (what a YAML parser or Spring's binder produces: strings,
 * numbers, booleans, lists and maps) to the types of record components. Used at startup
 * only.
 */
final class ValueConverter {

    private ValueConverter() {
    }

    /** Thrown with a message that says what was expected; the caller adds key and path. */
    static final class BadValue extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message);
        }
    }

    static Object convert(Object raw, Type target) {
        if (raw == null) {
            return null;
        }
        if (target instanceof ParameterizedType pt) {
            Class<?> rawType = (Class<?>) pt.getRawType();
            if (List.class.isAssignableFrom(rawType)) {
                Type element = pt.getActualTypeArguments()[0];
                List<Object> out = new ArrayList<>();
                for (Object item : asList(raw)) {
                    if (item == null) {
                        throw new BadValue("an item of the list is empty"); // YAML's "- " with nothing after it
                    }
                    out.add(convert(item, element));
                }
                return Collections.unmodifiableList(out);
            }
            if (Map.class.isAssignableFrom(rawType)) {
                Type valueType = pt.getActualTypeArguments()[1];
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : asMap(raw).entrySet()) {
                    out.put(String.valueOf(e.getKey()), convert(e.getValue(), valueType));
                }
                return Collections.unmodifiableMap(out);
            }
            throw new BadValue("unsupported config type " + pt.getTypeName());
        }
        Class<?> type = (Class<?>) target;
        if (type == String.class) {
            return scalar(raw, "a string");
        }
        if (type == Integer.class) {
            long v = toLong(raw, "an integer");
            if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
                throw new BadValue("'" + raw + "' is out of range for an integer");
            }
            return (int) v;
        }
        if (type == Long.class) {
            return toLong(raw, "an integer");
        }
        if (type == Path.class) {
            String text = scalar(raw, "a path");
            if (text.isEmpty() || text.indexOf('\0') >= 0) {
                throw new BadValue("'" + text + "' is not a path");
            }
            return wrap(() -> Path.of(text));
        }
        if (type == Boolean.class) {
            return toBoolean(raw);
        }
        if (type == Duration.class) {
            if (raw instanceof Number n) {
                return Duration.ofSeconds(n.longValue());
            }
            return wrap(() -> Durations.parse(scalar(raw, "a duration")));
        }
        if (type == Size.class) {
            if (raw instanceof Number n) {
                return wrap(() -> Size.ofBytes(n.longValue())); // YAML reads -1 as a number
            }
            return wrap(() -> Size.parse(scalar(raw, "a size")));
        }
        if (type.isEnum()) {
            String s = scalar(raw, "one of " + enumNames(type)).trim().replace('-', '_').toUpperCase(Locale.ROOT);
            for (int pass = 0; pass < 2; pass++) {
                for (Object c : type.getEnumConstants()) {
                    if (((Enum<?>) c).name().equals(s)) {
                        return c;
                    }
                }
                // YAML 1.1 reads nginx's on/off as booleans: map them back to ON/OFF constants
                s = s.equals("FALSE") ? "OFF" : s.equals("TRUE") ? "ON" : s;
            }
            throw new BadValue("'" + raw + "' is not one of " + enumNames(type));
        }
        Method parse = parseMethod(type);
        if (parse != null) { // written as text, never as a block: its fields bound one by one would skip its checks
            String text = scalar(raw, "a value");
            return wrap(() -> {
                try {
                    return parse.invoke(null, text);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalArgumentException(String.valueOf(cause.getMessage()), cause);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        if (type.isRecord()) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            RecordBinder<?> binder = new RecordBinder(type, null, false);
            return binder.bindBlock(asMap(raw));
        }
        throw new BadValue("unsupported config type " + type.getName());
    }

    private interface Parse {
        Object get();
    }

    private static Object wrap(Parse p) {
        try {
            return p.get();
        } catch (IllegalArgumentException e) {
            throw new BadValue(e.getMessage());
        }
    }

    static Method parseMethod(Class<?> type) {
        try {
            Method m = type.getMethod("parse", String.class);
            return Modifier.isStatic(m.getModifiers()) && type.isAssignableFrom(m.getReturnType()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static String enumNames(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (Object c : type.getEnumConstants()) {
            names.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return String.join(", ", names);
    }

    static String scalar(Object raw, String expected) {
        if (raw instanceof Map || raw instanceof List) {
            throw new BadValue("expected " + expected + " but found a " + (raw instanceof Map ? "block" : "list"));
        }
        return String.valueOf(raw);
    }

    private static long toLong(Object raw, String expected) {
        if (raw instanceof Number n) {
            return n.longValue();
        }
        String s = scalar(raw, expected).trim();
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9' || c == '-')) {
            throw new BadValue("'" + raw + "' is not " + expected);
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new BadValue("'" + raw + "' is not " + expected);
        }
    }

    private static Boolean toBoolean(Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        return switch (scalar(raw, "on or off").trim().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> Boolean.TRUE;
            case "false", "off", "no" -> Boolean.FALSE;
            default -> throw new BadValue("'" + raw + "' is not a boolean (expected on/off or true/false)");
        };
    }

    static List<?> asList(Object raw) {
        if (raw instanceof List<?> l) {
            return l;
        }
        if (raw instanceof Map<?, ?> m && isIndexed(m)) {
            // Spring's binder hands lists over as {0: .., 1: .., 10: ..}: order by index
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            entries.sort((a, b) -> Integer.compare(Integer.parseInt(String.valueOf(a.getKey())),
                    Integer.parseInt(String.valueOf(b.getKey()))));
            List<Object> out = new ArrayList<>();
            entries.forEach(e -> out.add(e.getValue()));
            return out;
        }
        if (raw instanceof Map) {
            throw new BadValue("expected a list but found a block");
        }
        if ("".equals(raw)) {
            return List.of(); // Spring Boot's YAML loader hands "key: []" over as an empty string
        }
        return List.of(raw);
    }

    static Map<String, Object> asMap(Object raw) {
        if (raw instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v)); // YAML may hand over keys as booleans or numbers
            return out;
        }
        throw new BadValue("expected a block of keys but found " + (raw instanceof List ? "a list" : "'" + raw + "'"));
    }

    /** Whether the keys are exactly 0..n-1, in any order. */
    private static boolean isIndexed(Map<?, ?> m) {
        boolean[] seen = new boolean[m.size()];
        for (Object k : m.keySet()) {
            String s = String.valueOf(k);
            if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
                return false;
            }
            int i = Integer.parseInt(s);
            if (i >= seen.length || seen[i]) {
                return false;
            }
            seen[i] = true;
        }
        return !m.isEmpty();
    }

    /** The form keys are compared in: lower case, without dashes and underscores. */
    static String canonical(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != '-' && c != '_') {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    static String kebab(String camel) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
