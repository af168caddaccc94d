package dev.modhttp.engine.netty;

import dev.modhttp.engine.module.ConnectionState;
import dev.modhttp.engine.module.EngineStatus;
import java.util.concurrent.atomic.LongAdder;

/**
 * nginx's stub_status counters, kept from connection state transitions. A connection counts
 * as reading while its request head arrives, writing from a complete head until its response
 * is done, and waiting otherwise (fresh or idle keep-alive).
 */
final class Stats {

    enum Category { WAITING, READING, WRITING, NONE }

    private final LongAdder accepted = new LongAdder();
    private final LongAdder handled = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder active = new LongAdder();
    private final LongAdder reading = new LongAdder();
    private final LongAdder writing = new LongAdder();

    static Category categoryOf(ConnectionState state) {
        return switch (state) {
            case CONNECT, REQUEST_START -> Category.WAITING;
            case READ -> Category.READING;
            case REQUEST_END, READ_POST, HANDLE_REQUEST, RESPONSE_START, WRITE, RESPONSE_END -> Category.WRITING;
            case ERROR, CLOSE -> Category.NONE;
        };
    }

    void accepted() {
        accepted.increment();
        handled.increment();
        active.increment();
    }

    void request() {
        requests.increment();
    }

    void move(Category from, Category to) {
        if (from == to) {
            return;
        }
        adder(from, -1);
        adder(to, 1);
        if (to == Category.NONE) {
            active.decrement();
        }
    }

    private void adder(Category c, int delta) {
        switch (c) {
            case READING -> reading.add(delta);
            case WRITING -> writing.add(delta);
            default -> {
                // waiting is derived
            }
        }
    }

    EngineStatus snapshot() {
        long a = active.sum();
        long r = reading.sum();
        long w = writing.sum();
        return new EngineStatus(a, accepted.sum(), handled.sum(), requests.sum(), r, w, Math.max(0, a - r - w));
    }
}
