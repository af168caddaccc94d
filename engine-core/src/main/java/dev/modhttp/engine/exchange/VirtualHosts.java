package dev.modhttp.engine.exchange;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Pcre;
import dev.modhttp.engine.config.ServerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The servers listening on one address, and nginx's choice among them by host name: an exact
 * name, then the longest leading wildcard ({@code *.example.com}), then the longest trailing
 * wildcard ({@code www.example.*}), then the first matching regex ({@code ~^www\d+\.}), and
 * otherwise the default server (marked {@code default-server}, else the first).
 * {@code .example.com} stands for both {@code example.com} and {@code *.example.com}.
 */
public final class VirtualHosts {

    private final ServerConfig defaultServer;
    private final Map<String, ServerConfig> exact = new HashMap<>();
    private final List<Map.Entry<String, ServerConfig>> leading = new ArrayList<>();
    private final List<Map.Entry<String, ServerConfig>> trailing = new ArrayList<>();
    private final List<Map.Entry<Pattern, ServerConfig>> regexes = new ArrayList<>();

    VirtualHosts(List<ServerConfig> servers, ServerConfig defaultServer) {
        this.defaultServer = defaultServer;
        for (ServerConfig server : servers) {
            if (server.names().isEmpty()) {
                exact.putIfAbsent("", server); // nginx names a server without server_name ""
            }
            for (int i = 0; i < server.names().size(); i++) {
                add(server, server.names().get(i), i);
            }
        }
        leading.sort((a, b) -> b.getKey().length() - a.getKey().length());
        trailing.sort((a, b) -> b.getKey().length() - a.getKey().length());
    }

    private void add(ServerConfig server, String rawName, int index) {
        String name = rawName.trim();
        if (name.startsWith("~")) {
            try {
                // nginx compiles server name regexes caseless
                regexes.add(Map.entry(Pcre.compile(Location.toByteString(name.substring(1)), true), server));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(server.path(), "server-names[" + index + "]",
                        "'" + name + "' is not a valid regular expression: " + e.getMessage());
            }
            return;
        }
        name = name.toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
            exact.putIfAbsent("", server); // nginx's "": the server of requests without Host
            return;
        }
        if (name.startsWith("*.")) {
            leading.add(Map.entry(name.substring(1), server)); // ".example.com" suffix
        } else if (name.startsWith(".")) {
            exact.putIfAbsent(name.substring(1), server);
            leading.add(Map.entry(name, server));
        } else if (name.endsWith(".*")) {
            trailing.add(Map.entry(name.substring(0, name.length() - 1), server)); // "www.example." prefix
        } else if (name.indexOf('*') >= 0) {
            throw new ConfigException(server.path(), "server-names[" + index + "]", "'" + rawName
                    + "' is not a server name (a wildcard is allowed only as \"*.\" first or \".*\" last)");
        } else {
            exact.putIfAbsent(name, server); // the first server with a name wins, as in nginx
        }
    }

    public ServerConfig defaultServer() {
        return defaultServer;
    }

    /** The server for a validated, lower-case host, or the default server. */
    public ServerConfig select(String host) {
        ServerConfig s = exact.get(host == null ? "" : host);
        if (s != null) {
            return s;
        }
        if (host == null) {
            return defaultServer;
        }
        // indexed loops: an iterator per list per request was most of this method's allocation
        for (int i = 0; i < leading.size(); i++) {
            Map.Entry<String, ServerConfig> e = leading.get(i);
            if (host.endsWith(e.getKey())) {
                return e.getValue();
            }
        }
        for (int i = 0; i < trailing.size(); i++) {
            Map.Entry<String, ServerConfig> e = trailing.get(i);
            if (host.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        for (int i = 0; i < regexes.size(); i++) {
            Map.Entry<Pattern, ServerConfig> e = regexes.get(i);
            if (e.getKey().matcher(host).find()) {
                return e.getValue();
            }
        }
        return defaultServer;
    }
}
