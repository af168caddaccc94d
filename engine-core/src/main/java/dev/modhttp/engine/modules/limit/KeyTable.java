package dev.modhttp.engine.modules.limit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The states of one zone by key, shared by every event loop: split into segments, each an
 * access-ordered map under its own lock (the critical sections are a few field updates), each
 * forgetting its least recently used key when full. So memory stays bounded however many
 * clients come.
 */
final class KeyTable<S> {

    private static final int SEGMENTS = 16;

    private final Segment<S>[] segments;

    @SuppressWarnings("unchecked")
    KeyTable(int capacity) {
        segments = (Segment<S>[]) new Segment<?>[SEGMENTS];
        int each = Math.max(8, capacity / SEGMENTS);
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment<>(each);
        }
    }

    /** Runs {@code action} on the state of {@code key} (created by {@code create}) under the segment's lock. */
    <R> R apply(String key, Function<String, S> create, Function<S, R> action) {
        Segment<S> seg = segments[(key.hashCode() ^ key.hashCode() >>> 16) & (SEGMENTS - 1)];
        synchronized (seg) {
            S state = seg.get(key);
            if (state == null) {
                state = create.apply(key);
                seg.put(key, state);
            }
            return action.apply(state);
        }
    }

    /** Runs {@code action} on the state of {@code key} if there is one; drops it when {@code action} says so. */
    void update(String key, Predicate<S> dropAfter) {
        Segment<S> seg = segments[(key.hashCode() ^ key.hashCode() >>> 16) & (SEGMENTS - 1)];
        synchronized (seg) {
            S state = seg.get(key);
            if (state != null && dropAfter.test(state)) {
                seg.remove(key);
            }
        }
    }

    int size() {
        int n = 0;
        for (Segment<S> s : segments) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    private static final class Segment<S> extends LinkedHashMap<String, S> {
        private static final long serialVersionUID = 1L;
        private final int max;

        Segment(int max) {
            super(64, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, S> eldest) {
            return size() > max;
        }
    }
}
