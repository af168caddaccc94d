package dev.modhttp.engine.exchange;

import dev.modhttp.engine.http.ConnectionState;
import java.util.EnumSet;
import java.util.Map;

/**
 * One connection's lighttpd states, every transition checked against the table below and
 * counted in the engine's stub_status counters:
 *
 * <pre>
 *  CONNECT -> REQUEST_START -> READ -> REQUEST_END -> HANDLE_REQUEST <-> READ_POST
 *          -> RESPONSE_START -> WRITE -> RESPONSE_END -> REQUEST_START (keep-alive)
 *  any state -> ERROR -> CLOSE
 * </pre>
 *
 * Written by the connection's event loop only.
 */
public final class ConnectionStates {

    private static final boolean[][] ALLOWED = allowed(Map.ofEntries(
            Map.entry(ConnectionState.CONNECT, EnumSet.of(ConnectionState.REQUEST_START)),
            Map.entry(ConnectionState.REQUEST_START, EnumSet.of(ConnectionState.READ)),
            Map.entry(ConnectionState.READ, EnumSet.of(ConnectionState.REQUEST_END)),
            Map.entry(ConnectionState.REQUEST_END, EnumSet.of(ConnectionState.HANDLE_REQUEST,
                    ConnectionState.RESPONSE_START)),
            Map.entry(ConnectionState.HANDLE_REQUEST, EnumSet.of(ConnectionState.READ_POST,
                    ConnectionState.RESPONSE_START)),
            Map.entry(ConnectionState.READ_POST, EnumSet.of(ConnectionState.HANDLE_REQUEST,
                    ConnectionState.RESPONSE_START)),
            Map.entry(ConnectionState.RESPONSE_START, EnumSet.of(ConnectionState.WRITE, ConnectionState.RESPONSE_END)),
            Map.entry(ConnectionState.WRITE, EnumSet.of(ConnectionState.RESPONSE_END)),
            Map.entry(ConnectionState.RESPONSE_END, EnumSet.of(ConnectionState.REQUEST_START)),
            Map.entry(ConnectionState.ERROR, EnumSet.of(ConnectionState.CLOSE)),
            Map.entry(ConnectionState.CLOSE, EnumSet.noneOf(ConnectionState.class))));

    private static boolean[][] allowed(Map<ConnectionState, EnumSet<ConnectionState>> table) {
        int n = ConnectionState.values().length;
        boolean[][] m = new boolean[n][n];
        table.forEach((from, tos) -> tos.forEach(to -> m[from.ordinal()][to.ordinal()] = true));
        for (boolean[] row : m) {
            row[ConnectionState.ERROR.ordinal()] = true;
            row[ConnectionState.CLOSE.ordinal()] = true;
        }
        return m;
    }

    private final long id;
    private final Stats.Cell stats;
    /** An HTTP/2 stream's states: its connection is the one accepted and active. */
    private final boolean stream;
    private ConnectionState state = ConnectionState.CONNECT;

    ConnectionStates(long id, Stats.Cell stats, boolean stream) {
        this.id = id;
        this.stats = stats;
        this.stream = stream;
        if (!stream) {
            stats.accepted();
        }
    }

    public ConnectionState state() {
        return state;
    }

    /**
     * Moves to {@code to}. A closing connection ignores the rest of its request's steps.
     *
     * @throws IllegalStateException for a transition the table does not allow (an engine bug)
     */
    public void transition(ConnectionState to) {
        ConnectionState from = state;
        if (from == to || from == ConnectionState.CLOSE
                || from == ConnectionState.ERROR && to != ConnectionState.CLOSE) {
            return;
        }
        if (!ALLOWED[from.ordinal()][to.ordinal()]) {
            throw new IllegalStateException("connection " + id + ": illegal transition " + from + " -> " + to);
        }
        state = to;
        Stats.Category a = Stats.categoryOf(from);
        Stats.Category b = Stats.categoryOf(to);
        if (a != b) {
            stats.move(a, b, !stream);
        }
    }

    /** The connection's TLS handshake failed (counted in {@code EngineStatus.tlsHandshakesFailed}). */
    public void tlsHandshakeFailed() {
        stats.tlsHandshakeFailed();
    }

    /** A request head arrived (stub_status's requests). */
    public void requestArrived() {
        stats.request();
    }
}
