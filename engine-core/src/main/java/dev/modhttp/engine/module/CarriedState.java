package dev.modhttp.engine.module;

import dev.modhttp.engine.internal.Log;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The state that modules carry from one configuration generation to the next (limit zones,
 * open-file caches, upstream pools, log files), found by an identity a module chooses: a reload
 * whose configuration gives the same identity gets the same object, so that counters, cached
 * descriptors and pooled connections survive it; a changed identity gets a new one. One per
 * generation; the engine makes the next from the one serving ({@link #next}).
 *
 * <p>An object no live generation uses any more is closed with the closer given when it was
 * made: when the generation that used it retires (its last request ended), or when the
 * configuration that made it was refused.
 */
public final class CarriedState {

    private record Entry(Object value, Consumer<Object> closer) {
    }

    private final Map<Object, Entry> previous;
    private final Map<Object, Entry> taken = new LinkedHashMap<>();

    public CarriedState() {
        this(Map.of());
    }

    private CarriedState(Map<Object, Entry> previous) {
        this.previous = previous;
    }

    /** The state for the next generation's configuration: it may take what this one took. */
    public synchronized CarriedState next() {
        return new CarriedState(new LinkedHashMap<>(taken));
    }

    /**
     * The object of {@code identity}: the one the generation before made (or this one made
     * already), else a new one from {@code create}.
     *
     * @param identity compared with {@code equals}: a record of the module's class and what the
     *     state depends on ({@code "limit-req", name, size, key})
     * @param closer called once no live generation uses the object; null for none
     */
    @SuppressWarnings("unchecked")
    public synchronized <T> T take(Object identity, Supplier<T> create, Consumer<? super T> closer) {
        Objects.requireNonNull(identity, "identity");
        Entry e = taken.get(identity);
        if (e == null) {
            e = previous.get(identity);
            if (e == null) {
                T value = Objects.requireNonNull(create.get(), "created state");
                e = new Entry(value, closer == null ? v -> { } : v -> closer.accept((T) v));
            }
            taken.put(identity, e);
        }
        return (T) e.value();
    }

    /** Whether the object of {@code identity} came from the generation before (a reload kept it). */
    public synchronized boolean carried(Object identity) {
        return taken.containsKey(identity) && previous.get(identity) == taken.get(identity);
    }

    /**
     * Closes what this generation took and none of {@code live} holds: this generation retired,
     * or its configuration was refused.
     */
    public void release(Collection<CarriedState> live) {
        Set<Object> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (CarriedState other : live) {
            if (other != this) {
                synchronized (other) {
                    other.taken.values().forEach(e -> kept.add(e.value()));
                }
            }
        }
        List<Entry> closing = new ArrayList<>();
        synchronized (this) {
            taken.values().stream().filter(e -> !kept.contains(e.value())).forEach(closing::add);
            taken.clear();
        }
        for (Entry e : closing) {
            try {
                e.closer().accept(e.value());
            } catch (RuntimeException ex) {
                Log.error("closing " + e.value().getClass().getName() + " failed", ex);
            }
        }
    }
}
