package dev.modhttp.engine.module;

import dev.modhttp.engine.http.HttpExchange;

/**
 * Lets a module fire the hooks it owns the moment of: the static module fires
 * {@code docroot} and {@code physicalPath} when it maps a request to a file.
 */
public interface Hooks {

    HookResult docroot(HttpExchange exchange);

    HookResult physicalPath(HttpExchange exchange);
}
