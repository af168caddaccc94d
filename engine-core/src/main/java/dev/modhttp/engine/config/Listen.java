package dev.modhttp.engine.config;

import java.util.Locale;

/**
 * One {@code listen} entry: {@code "8080"}, {@code "127.0.0.1:8080"}, {@code "[::1]:8080"},
 * {@code "*:8080"}, optionally followed by {@code default-server}, {@code ssl} (connections
 * speak TLS, with the servers' {@code ssl-certificate}), {@code http2} (HTTP/2 for every server on
 * the address: by ALPN with {@code ssl}, with prior knowledge without) and {@code proxy-protocol} (every
 * connection starts with a PROXY protocol v1 or v2 header naming the client, as load balancers
 * send it; see real-ip), as nginx's listen parameters. A null host is the wildcard address.
 * Port 0 asks for a free port.
 */
public record Listen(String host, int port, boolean defaultServer, boolean proxyProtocol, boolean ssl, boolean http2) {

    public static Listen parse(String text) {
        String[] parts = text.trim().split("\\s+");
        boolean isDefault = false;
        boolean proxyProtocol = false;
        boolean ssl = false;
        boolean http2 = false;
        for (int i = 1; i < parts.length; i++) {
            String flag = parts[i].toLowerCase(Locale.ROOT).replace('_', '-');
            if (flag.equals("default-server") || flag.equals("default")) {
                isDefault = true;
            } else if (flag.equals("proxy-protocol")) {
                proxyProtocol = true;
            } else if (flag.equals("ssl")) {
                ssl = true;
            } else if (flag.equals("http2")) {
                http2 = true;
            } else {
                throw new IllegalArgumentException("unknown listen parameter '" + parts[i]
                        + "' (expected \"[host:]port [default-server] [ssl] [http2] [proxy-protocol]\")");
            }
        }
        String addr = parts[0];
        String host = null;
        String port = addr;
        if (addr.startsWith("[")) {
            int end = addr.indexOf(']');
            if (end < 0 || end + 1 >= addr.length() || addr.charAt(end + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not a listen address (expected \"[::1]:8080\")");
            }
            host = addr.substring(1, end);
            port = addr.substring(end + 2);
        } else if (addr.indexOf(':') >= 0) {
            int colon = addr.lastIndexOf(':');
            host = addr.substring(0, colon);
            port = addr.substring(colon + 1);
            if (host.equals("*")) {
                host = null;
            }
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid port (expected \"[host:]port\")");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " in '" + text + "' is out of range 0-65535");
        }
        return new Listen(host, p, isDefault, proxyProtocol, ssl, http2);
    }

    /** The socket this entry binds, without its parameters. */
    public String address() {
        return (host == null ? "*" : host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
