package dev.modhttp.engine.modules.realip;

import dev.modhttp.engine.config.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * nginx's realip directives, each written directly at a scope.
 *
 * <table>
 *   <caption>Keys and defaults</caption>
 *   <tr><td>set-real-ip-from</td><td>none: the proxies trusted to tell the client's address</td></tr>
 *   <tr><td>real-ip-header</td><td>X-Real-IP; or X-Forwarded-For, any header, or proxy_protocol</td></tr>
 *   <tr><td>real-ip-recursive</td><td>off: the last address of the header; on: the last one not trusted</td></tr>
 * </table>
 */
public record RealIpConfig(List<Cidr> setRealIpFrom, String realIpHeader, Boolean realIpRecursive) {

    public static final RealIpConfig DEFAULTS = new RealIpConfig(List.of(), "X-Real-IP", false);

    public RealIpConfig {
        if (realIpHeader != null && (realIpHeader.isBlank() || realIpHeader.indexOf(' ') >= 0)) {
            throw new IllegalArgumentException("real-ip-header must be one header name or proxy_protocol");
        }
    }

    boolean trusts(InetAddress address) {
        for (Cidr c : setRealIpFrom) {
            if (c.matches(address)) {
                return true;
            }
        }
        return false;
    }
}
