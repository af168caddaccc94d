package dev.modhttp.engine.modules.realip;

import dev.modhttp.engine.config.Cidr;
import dev.modhttp.engine.config.KeyDoc;
import java.net.InetAddress;
import java.util.List;

/**
 * nginx's realip directives, each written directly at a scope.
 *
 * <p>Each component is a key; its default and meaning are in its {@link KeyDoc}, from which the README's
 * reference is generated.
 */
public record RealIpConfig(
        @KeyDoc(meaning = "trusted proxies (`10.0.0.0/8`, `::1`); from them the client's address is taken from "
                + "`real-ip-header`")
        List<Cidr> setRealIpFrom,
        @KeyDoc(defaultValue = "`X-Real-IP`", meaning = "or `X-Forwarded-For`, any header, `proxy_protocol`")
        String realIpHeader,
        @KeyDoc(defaultValue = "`off`", meaning = "`on`: the last address in the header that is not a trusted proxy")
        Boolean realIpRecursive) {

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
