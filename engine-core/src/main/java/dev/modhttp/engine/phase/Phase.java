package dev.modhttp.engine.phase;

/**
 * nginx's eleven request phases, in the order a request walks them.
 *
 * <pre>
 *  request head parsed
 *        |
 *   POST_READ ---> SERVER_REWRITE ---> FIND_CONFIG* ---> REWRITE ---> POST_REWRITE*
 *                        ^                  ^                              |
 *                        |                  +------ URI changed (max 10) --+
 *                  internal redirect                                       v
 *   LOG <--- CONTENT <--- PRECONTENT <--- POST_ACCESS* <--- ACCESS <--- PREACCESS
 *    (always, once)
 *                                                   * engine only, no handlers
 * </pre>
 *
 * <table>
 *   <caption>What a handler's result does</caption>
 *   <tr><th>phase</th><th>OK</th><th>DECLINED</th></tr>
 *   <tr><td>POST_READ, SERVER_REWRITE, REWRITE, PREACCESS, PRECONTENT</td><td>next phase</td><td>next handler</td></tr>
 *   <tr><td>ACCESS, satisfy all</td><td>next handler (all must allow)</td><td>next handler</td></tr>
 *   <tr><td>ACCESS, satisfy any</td><td>next phase (one is enough)</td><td>next handler</td></tr>
 *   <tr><td>CONTENT</td><td>response sent</td><td>next handler; none left: 404, or 403 for a directory URI</td></tr>
 *   <tr><td>LOG</td><td colspan="2">ignored; every LOG handler runs exactly once per request</td></tr>
 * </table>
 *
 * In every phase but LOG, {@code DONE} ends the request (the response is complete), a status
 * of 300 or more finishes it with that status through {@code error-page}, and {@code ERROR}
 * finishes it with 500. In ACCESS, 401 and 403 are denials weighed by {@code satisfy}.
 */
public enum Phase {
    POST_READ(true),
    SERVER_REWRITE(true),
    FIND_CONFIG(false),
    REWRITE(true),
    POST_REWRITE(false),
    PREACCESS(true),
    ACCESS(true),
    POST_ACCESS(false),
    PRECONTENT(true),
    CONTENT(true),
    LOG(true);

    private final boolean takesHandlers;

    Phase(boolean takesHandlers) {
        this.takesHandlers = takesHandlers;
    }

    /** False for the engine's own phases, where registering a handler is an error. */
    public boolean takesHandlers() {
        return takesHandlers;
    }
}
