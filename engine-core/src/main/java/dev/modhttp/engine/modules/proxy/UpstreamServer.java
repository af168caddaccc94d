package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.Durations;
import java.time.Duration;

/**
 * One {@code servers} entry of an upstream, nginx's {@code server} directive:
 * {@code "10.0.0.1:8080 weight=5 max-fails=3 fail-timeout=30s"}, {@code "b.internal:80 backup"},
 * {@code "c:80 down"}. The port defaults to 80. nginx's spellings {@code max_fails} and
 * {@code fail_timeout} are read too.
 *
 * @param address the address as written ({@code "b.internal:80"}, {@code "b.internal"}): nginx's consistent
 *        hash places a server's points by it
 * @param host a host name or IP address (IPv6 without brackets)
 * @param port the port, 80 when none is written
 * @param weight the peer's weight (1)
 * @param maxFails failures within {@code failTimeout} that take the peer out for {@code failTimeout}
 *        (1; 0: never)
 * @param failTimeout the window failures are counted in, and how long a failed peer stays out (10 s)
 * @param backup whether the peer serves only when every primary peer is down or out
 * @param down whether the peer is marked permanently unavailable
 */
public record UpstreamServer(String address, String host, int port, int weight, int maxFails, Duration failTimeout,
        boolean backup, boolean down) {

    public UpstreamServer {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be 1 or more");
        }
        if (maxFails < 0) {
            throw new IllegalArgumentException("max-fails must be 0 or more");
        }
    }

    public static UpstreamServer parse(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new IllegalArgumentException("an upstream server needs an address");
        }
        String address = words[0];
        String host = address;
        int port = 80;
        int colon = address.lastIndexOf(':');
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid address \"" + address + "\"");
            }
            host = address.substring(1, close);
            colon = close + 1 < address.length() && address.charAt(close + 1) == ':' ? close + 1 : -1;
        } else if (colon >= 0 && address.indexOf(':') != colon) {
            colon = -1; // a bare IPv6 address
        } else if (colon >= 0) {
            host = address.substring(0, colon);
        }
        if (colon >= 0) {
            port = number(address.substring(colon + 1), address);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("invalid port in \"" + address + "\"");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in \"" + address + "\"");
        }
        int weight = 1;
        int maxFails = 1;
        Duration failTimeout = Duration.ofSeconds(10);
        boolean backup = false;
        boolean down = false;
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            int eq = w.indexOf('=');
            String key = (eq < 0 ? w : w.substring(0, eq)).replace('_', '-');
            String value = eq < 0 ? null : w.substring(eq + 1);
            switch (key) {
                case "weight" -> weight = number(value, w);
                case "max-fails" -> maxFails = number(value, w);
                case "fail-timeout" -> failTimeout = Durations.parse(required(value, w));
                case "backup" -> backup = true;
                case "down" -> down = true;
                default -> throw new IllegalArgumentException("invalid parameter \"" + w
                        + "\" (weight=, max-fails=, fail-timeout=, backup, down)");
            }
        }
        return new UpstreamServer(address, host, port, weight, maxFails, failTimeout, backup, down);
    }

    private static String required(String value, String word) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("invalid parameter \"" + word + "\"");
        }
        return value;
    }

    private static int number(String value, String word) {
        try {
            return Integer.parseInt(required(value, word));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid parameter \"" + word + "\"");
        }
    }
}
