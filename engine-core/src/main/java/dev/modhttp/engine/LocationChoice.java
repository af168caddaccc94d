package dev.modhttp.engine;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.exchange.UriNormalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Which server and location a request would reach, and the steps that led there, worked out
 * without sending it: the request target is normalized as the engine normalizes a request's
 * (percent escapes decoded, slashes merged, dot segments resolved), the server chosen by host as
 * the engine chooses it, the location by nginx's search (nested locations included). For tests
 * ({@code EngineAssert} in the starter) and diagnostics.
 *
 * @param server the chosen server's path in the configuration ({@code servers[0]})
 * @param location the selected location's pattern ({@code ~* \.(gif|jpg)$}), null when none matches
 *     and the server scope serves the request
 * @param path the selected location's place in the configuration ({@code servers[0].locations[2]}), null with it
 * @param why the search, step by step, as the {@code enginelocation} endpoint shows it
 */
public record LocationChoice(String server, String location, String path, List<String> why) {

    public LocationChoice {
        why = List.copyOf(why);
    }

    /**
     * @param host the Host header's value, null for none (the default server)
     * @param target the request target as a client sends it ({@code /a/../b%20c?x=1})
     * @throws IllegalArgumentException for a target the engine answers with 400 ({@code ..} above the
     *     root, {@code %00}, a malformed escape)
     */
    public static LocationChoice of(Engine engine, String host, String target) {
        boolean form = target.startsWith("/") || target.startsWith("http://") || target.startsWith("https://");
        UriNormalizer.Normalized normalized = form ? UriNormalizer.normalize(target) : null; // origin or absolute form
        if (normalized == null) {
            throw new IllegalArgumentException("the engine answers 400 to the request target '" + target + "'");
        }
        ServerConfig server = engine.selectServer(host);
        List<String> trace = new ArrayList<>();
        trace.add("server " + server.path() + " " + server.names() + (host == null ? " (no host given: the default)"
                : " for host " + host));
        trace.add("request target " + target + " normalized to " + normalized.path());
        Location l = server.scope().explain(normalized.path(), trace);
        return new LocationChoice(server.path(), l == null ? null : l.pattern(), l == null ? null : l.path(), trace);
    }
}
