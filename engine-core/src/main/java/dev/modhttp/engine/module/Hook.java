package dev.modhttp.engine.module;

import dev.modhttp.engine.http.ConnectionInfo;
import dev.modhttp.engine.http.HttpExchange;

/**
 * lighttpd's plugin callbacks, fired by the engine at fixed points of the server's life and
 * of each connection's state machine. Implement only the callbacks you need; the others go on.
 * Hooks are walked in registration order and the walk stops at the first that does not go on.
 *
 * <pre>
 *  server:      init -> setDefaults -> ( trigger every second ) -> cleanup   (per configuration generation)
 *               a reload: the new generation's init -> setDefaults, swapped in, its reload;
 *               the old one's cleanup once its last request ended
 *  connection:  connectionAccept
 *                 -> uriRaw -> uriClean -> [phases: docroot, physicalPath from the static module]
 *                 -> responseStart -> requestDone -> requestReset  (per request)
 *               -> connectionClose
 * </pre>
 *
 * <table>
 *   <caption>What a hook's answer does</caption>
 *   <tr><td>{@link HookResult#GO_ON}</td><td>next hook</td></tr>
 *   <tr><td>{@link HookResult#finished(int)}</td><td>stop the walk; in uriRaw, uriClean, docroot and physicalPath the request ends with that status</td></tr>
 *   <tr><td>{@link HookResult#ERROR}</td><td>stop the walk; a request ends with 500, connectionAccept closes the connection</td></tr>
 * </table>
 */
public interface Hook {

    /** Once per configuration generation: when the engine is built, and when a reload compiled a new one. */
    default HookResult init(EngineInfo engine) {
        return HookResult.GO_ON;
    }

    /** Once per generation, after init, when its config is final. */
    default HookResult setDefaults(EngineInfo engine) {
        return HookResult.GO_ON;
    }

    /**
     * Once per generation: when a reload replaced it and its last request ended, or when the
     * engine has stopped.
     */
    default HookResult cleanup(EngineInfo engine) {
        return HookResult.GO_ON;
    }

    /**
     * Once a second while the engine runs, the serving generation's hooks only (off the event
     * loops, never concurrently with itself).
     */
    default HookResult trigger(EngineInfo engine) {
        return HookResult.GO_ON;
    }

    /**
     * After a reload swapped this generation in (re-open files and the like: log rotation, as
     * nginx's reload re-opens its logs).
     */
    default HookResult reload(EngineInfo engine) {
        return HookResult.GO_ON;
    }

    default HookResult connectionAccept(ConnectionInfo connection) {
        return HookResult.GO_ON;
    }

    /** The request head is parsed; the URI is still as sent. */
    default HookResult uriRaw(HttpExchange exchange) {
        return HookResult.GO_ON;
    }

    /** The URI is decoded and normalized. */
    default HookResult uriClean(HttpExchange exchange) {
        return HookResult.GO_ON;
    }

    /** The document root for the request is known (static module). */
    default HookResult docroot(HttpExchange exchange) {
        return HookResult.GO_ON;
    }

    /** The file path for the request is known (static module). */
    default HookResult physicalPath(HttpExchange exchange) {
        return HookResult.GO_ON;
    }

    /** Just before the status line and headers go out. */
    default HookResult responseStart(HttpExchange exchange) {
        return HookResult.GO_ON;
    }

    /** The response is complete (after LOG). */
    default HookResult requestDone(HttpExchange exchange) {
        return HookResult.GO_ON;
    }

    /** The request's state is dropped; the connection may serve another. */
    default HookResult requestReset(HttpExchange exchange) {
        return HookResult.GO_ON;
    }

    default HookResult connectionClose(ConnectionInfo connection) {
        return HookResult.GO_ON;
    }
}
