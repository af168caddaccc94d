package dev.modhttp.engine.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The storage and the reading half of {@link HeaderFields}: name/value pairs in one array, in the
 * order they were added, looked up by a case-insensitive linear scan.
 */
abstract class FieldStore extends HttpHeaders {

    static final CharSequence[] NONE = {};

    /** Name at {@code 2i}, value at {@code 2i + 1}. */
    CharSequence[] pairs = NONE;
    int size;
    /** Counts removals, which move fields: iterators then find theirs again. */
    int removals;
    /**
     * Set when an iterator may be walking {@link #pairs}: the next removal works on a copy, so
     * that the iterator's fields stay as they were without each iterator copying them.
     */
    boolean shared;

    /** Gives this section an array of its own before fields move, if an iterator holds the current one. */
    void unshare() {
        if (shared) {
            pairs = pairs.clone();
            shared = false;
        }
    }

    int checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return index;
    }

    static boolean same(CharSequence a, CharSequence b) {
        return a == b || a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b);
    }

    int indexOf(CharSequence name, int from) {
        for (int i = from; i < size; i++) {
            if (same(pairs[i * 2], name)) {
                return i;
            }
        }
        return -1;
    }

    CharSequence first(CharSequence name) {
        int i = indexOf(Objects.requireNonNull(name, "name"), 0);
        return i < 0 ? null : pairs[i * 2 + 1];
    }

    void append(CharSequence name, CharSequence value) {
        if (size * 2 == pairs.length) {
            pairs = Arrays.copyOf(pairs, Math.max(16, pairs.length * 2));
        }
        pairs[size * 2] = name;
        pairs[size * 2 + 1] = value;
        size++;
    }

    void removeAll(CharSequence name) {
        int first = indexOf(name, 0);
        if (first < 0) {
            return;
        }
        unshare();
        int kept = first;
        for (int i = first + 1; i < size; i++) {
            if (!same(pairs[i * 2], name)) {
                pairs[kept * 2] = pairs[i * 2];
                pairs[kept * 2 + 1] = pairs[i * 2 + 1];
                kept++;
            }
        }
        Arrays.fill(pairs, kept * 2, size * 2, null);
        size = kept;
        removals++;
    }

    void removeAt(int i) {
        unshare();
        System.arraycopy(pairs, (i + 1) * 2, pairs, i * 2, (size - i - 1) * 2);
        size--;
        pairs[size * 2] = null;
        pairs[size * 2 + 1] = null;
        removals++;
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        CharSequence value = first(name);
        return value == null ? null : value.toString();
    }

    @Override
    public String get(CharSequence name, String defaultValue) {
        String value = get(name);
        return value == null ? defaultValue : value;
    }

    private <T> T parsed(CharSequence name, Function<CharSequence, T> parser) {
        CharSequence value = first(name);
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            return null; // as Netty: a value that does not parse reads as absent
        }
    }

    @Override
    public Integer getInt(CharSequence name) {
        return parsed(name, v -> v instanceof AsciiString a ? a.parseInt() : Integer.parseInt(v.toString()));
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(CharSequence name) {
        return parsed(name, v -> v instanceof AsciiString a ? a.parseShort() : Short.parseShort(v.toString()));
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return parsed(name, v -> {
            Date date = DateFormatter.parseHttpDate(v);
            return date == null ? null : date.getTime();
        });
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        Objects.requireNonNull(name, "name");
        List<String> values = null;
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (values == null) {
                values = new ArrayList<>(2);
            }
            values.add(pairs[i * 2 + 1].toString());
        }
        return values == null ? Collections.emptyList() : values;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> entries = new ArrayList<>(size);
        forEach(entries::add);
        return entries;
    }

    @Override
    public boolean contains(String name) {
        return first(name) != null;
    }

    @Override
    public boolean contains(CharSequence name) {
        return first(name) != null;
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = pairs[i * 2 + 1];
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return new Entries<>(e -> new AbstractMap.SimpleImmutableEntry<>(e.getKey().toString(), e.getValue().toString()));
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Entries<>(Function.identity());
    }

    @Override
    public Iterator<CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new Iterator<>() {
            private int next = indexOf(name, 0);

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public CharSequence next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                CharSequence value = pairs[next * 2 + 1];
                next = indexOf(name, next + 1);
                return value;
            }
        };
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            names.add(pairs[i * 2].toString());
        }
        return names;
    }

    /** Equal when both hold the same names (case-insensitively) with the same values in the same order. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FieldStore other) || other.size != size) {
            return false;
        }
        for (int i = 0; i < size * 2; i += 2) {
            if (!same(pairs[i], other.pairs[i]) || !AsciiString.contentEquals(pairs[i + 1], other.pairs[i + 1])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = size;
        for (int i = 0; i < size * 2; i += 2) {
            hash = 31 * hash + AsciiString.hashCode(pairs[i]);
            hash = 31 * hash + pairs[i + 1].toString().hashCode();
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(getClass().getSimpleName()).append('[');
        for (int i = 0; i < size; i++) {
            s.append(i == 0 ? "" : ", ").append(pairs[i * 2]).append(": ").append(pairs[i * 2 + 1]);
        }
        return s.append(']').toString();
    }

    /**
     * Iterates the fields there were when it began (the array it began on, which removals leave
     * alone: see {@link #shared}), in order, skipping any removed meanwhile, so
     * that removing fields while iterating (a filter dropping {@code X-Internal-*}) visits every
     * other field once. Netty's linked entries may still give the field after the current one
     * when it was removed meanwhile; this does not. A field added meanwhile is not visited.
     * {@code remove} drops the field last returned.
     */
    private final class Entries<E> implements Iterator<E> {
        private final Function<Map.Entry<CharSequence, CharSequence>, E> shape;
        private final CharSequence[] fields = pairs;
        private final int count = size;
        private final int removalsSeen = removals;
        private int next;
        private int last = -1;

        Entries(Function<Map.Entry<CharSequence, CharSequence>, E> shape) {
            this.shape = shape;
            shared = true;
        }

        /** Where the field at {@code i} of the copy is now, or -1 when it was removed. */
        private int live(int i) {
            if (removalsSeen == removals) {
                return i; // nothing removed since the copy: positions are the same
            }
            for (int k = Math.min(i, size - 1); k >= 0; k--) { // removals only move fields forward
                if (pairs[k * 2] == fields[i * 2] && pairs[k * 2 + 1] == fields[i * 2 + 1]) {
                    return k;
                }
            }
            return -1;
        }

        @Override
        public boolean hasNext() {
            while (next < count && live(next) < 0) {
                next++;
            }
            return next < count;
        }

        @Override
        public E next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            last = next++;
            return shape.apply(new AbstractMap.SimpleImmutableEntry<>(fields[last * 2], fields[last * 2 + 1]));
        }

        @Override
        public void remove() {
            int i = last < 0 ? -1 : live(last);
            last = -1;
            if (i < 0) {
                throw new IllegalStateException();
            }
            removeAt(i);
        }
    }
}
