package dev.modhttp.engine.exchange;

import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.module.EngineStatus;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * nginx's stub_status counters, kept from connection state transitions. A connection counts
 * as reading while its request head arrives, writing from a complete head until its response
 * is done, and waiting otherwise (fresh or idle keep-alive).
 *
 * <p>Each event loop counts in a {@link Cell} of its own, written only by that thread (no
 * atomic read-modify-write on the request path); a snapshot sums the cells.
 */
final class Stats {

    enum Category { WAITING, READING, WRITING, NONE }

    private static final int ACCEPTED = 0;
    private static final int REQUESTS = 1;
    private static final int ACTIVE = 2;
    private static final int READING = 3;
    private static final int WRITING = 4;
    private static final int TLS_FAILED = 5;
    /** Accepted and closed at once: {@code worker-connections} were all taken. */
    private static final int REFUSED = 6;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final List<Cell> cells = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Cell> cell = ThreadLocal.withInitial(() -> {
        Cell c = new Cell();
        cells.add(c);
        return c;
    });

    static Category categoryOf(ConnectionState state) {
        return switch (state) {
            case CONNECT, REQUEST_START -> Category.WAITING;
            case READ -> Category.READING;
            case REQUEST_END, READ_POST, HANDLE_REQUEST, RESPONSE_START, WRITE, RESPONSE_END -> Category.WRITING;
            case ERROR, CLOSE -> Category.NONE;
        };
    }

    /** The calling event loop's cell; a connection keeps the one of its event loop. */
    Cell cell() {
        return cell.get();
    }

    /** Counters written by one thread and read by any, without tearing. */
    static final class Cell {
        private final long[] slots = new long[7];

        private void add(int slot, long delta) {
            SLOT.setOpaque(slots, slot, (long) SLOT.getOpaque(slots, slot) + delta);
        }

        private long get(int slot) {
            return (long) SLOT.getOpaque(slots, slot);
        }

        void accepted() {
            add(ACCEPTED, 1);
            add(ACTIVE, 1);
        }

        /** A connection accepted and closed at once; nginx counts it in accepts, not in handled. */
        void refused() {
            add(ACCEPTED, 1);
            add(REFUSED, 1);
        }

        void request() {
            add(REQUESTS, 1);
        }

        void tlsHandshakeFailed() {
            add(TLS_FAILED, 1);
        }

        /** A state change from one category to another; {@code active} when it is a connection's (not a stream's). */
        void move(Category from, Category to, boolean active) {
            adjust(from, -1);
            adjust(to, 1);
            if (to == Category.NONE && active) {
                add(ACTIVE, -1);
            }
        }

        private void adjust(Category c, int delta) {
            if (c == Category.READING) {
                add(READING, delta);
            } else if (c == Category.WRITING) {
                add(WRITING, delta);
            }
        }
    }

    EngineStatus snapshot() {
        long accepted = 0;
        long requests = 0;
        long active = 0;
        long reading = 0;
        long writing = 0;
        long tlsFailed = 0;
        long refused = 0;
        for (Cell c : cells) {
            refused += c.get(REFUSED);
            tlsFailed += c.get(TLS_FAILED);
            accepted += c.get(ACCEPTED);
            requests += c.get(REQUESTS);
            active += c.get(ACTIVE);
            reading += c.get(READING);
            writing += c.get(WRITING);
        }
        return new EngineStatus(active, accepted, accepted - refused, requests, reading, writing,
                Math.max(0, active - reading - writing), tlsFailed);
    }
}
