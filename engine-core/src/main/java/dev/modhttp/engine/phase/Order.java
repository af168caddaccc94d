package dev.modhttp.engine.phase;

/**
 * Named places in the order of handlers within a phase and of filters within a chain (lower
 * runs first; equal orders keep registration order). Any int is an order; these are the ones
 * the built-in modules use, so that a handler or filter can be placed before or after them.
 *
 * <table>
 *   <caption>Who sits where</caption>
 *   <tr><td>{@link #FIRST}</td><td>metrics in LOG</td></tr>
 *   <tr><td>{@link #EARLY}</td><td>rewrite in (SERVER_)REWRITE, real-ip in PREACCESS</td></tr>
 *   <tr><td>{@link #DEFAULT}</td><td>return, limit-req, access, try-files; user handlers unless they say otherwise</td></tr>
 *   <tr><td>{@link #LATE}</td><td>limit-conn after limit-req, auth-basic after access (nginx's module order)</td></tr>
 *   <tr><td>{@link #HEADERS}</td><td>add-header's and expires' filter: after every user filter, before
 *       compression, which sees the headers it set (gzip-proxied reads Cache-Control and Expires), as in
 *       nginx's filter order</td></tr>
 *   <tr><td>{@link #CONTENT_CODING}</td><td>the compression filters: after every other filter</td></tr>
 *   <tr><td>{@link #LAST}</td><td>the static module in CONTENT: whatever no other handler answered</td></tr>
 * </table>
 */
public final class Order {

    public static final int FIRST = Integer.MIN_VALUE;
    public static final int EARLY = -100;
    public static final int DEFAULT = 0;
    public static final int LATE = 10;
    public static final int HEADERS = Integer.MAX_VALUE - 200;
    public static final int CONTENT_CODING = Integer.MAX_VALUE - 100;
    public static final int LAST = Integer.MAX_VALUE;

    private Order() {
    }
}
