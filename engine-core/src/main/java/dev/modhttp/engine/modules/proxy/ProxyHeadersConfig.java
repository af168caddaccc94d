package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.modules.headers.AddHeader;
import dev.modhttp.engine.modules.headers.HeadersConfig.Inherit;
import java.util.List;

/**
 * {@code proxy-set-header} (main, server, location): header fields set on the request to the
 * backend, {@code "X-Real-IP $remote_addr"}; an empty value ({@code "Accept-Encoding ''"}) removes
 * the client's field. nginx's defaults apply under them: {@code Host $proxy_host}, and
 * {@code Connection close} when the connection is not kept for another request.
 * {@code proxy-set-header-inherit} is {@code add-header-inherit}'s rule: merge (default; an
 * inner scope's entry replaces an outer one of the same name), replace (nginx's rule), off.
 */
public record ProxyHeadersConfig(
        @KeyDoc(meaning = "`[\"X-Real-IP $remote_addr\", \"X-Forwarded-For $proxy_add_x_forwarded_for\", \"Accept-Encoding "
                + "''\"]`: fields of the request to the backend (an empty value removes the client's); under them nginx's "
                + "defaults `Host $proxy_host`, and `Connection close` when the connection is not pooled. The client's other "
                + "fields follow, except hop-by-hop ones and those the `Connection` header names")
        List<SetHeader> proxySetHeader,
        @KeyDoc(defaultValue = "`merge`", meaning = "as `add-header-inherit`")
        Inherit proxySetHeaderInherit) {

    public static final ProxyHeadersConfig DEFAULTS = new ProxyHeadersConfig(List.of(), Inherit.MERGE);

    /** One {@code proxy-set-header} entry: a header name and a value with variables. */
    public record SetHeader(String name, String value) {
        public static SetHeader parse(String text) {
            String t = text.trim();
            if (t.indexOf(' ') < 0) {
                t = t + " ''"; // "Name" alone: nginx needs a value, an empty one removes the field
            }
            String[] nv = AddHeader.nameAndValue(t, "name value");
            return new SetHeader(nv[0], AddHeader.unquote(nv[1]));
        }
    }

    static ProxyHeadersConfig merge(ProxyHeadersConfig outer, ProxyHeadersConfig inner) {
        Inherit mode = inner.proxySetHeaderInherit() != null ? inner.proxySetHeaderInherit()
                : outer.proxySetHeaderInherit();
        Inherit rule = mode == null ? Inherit.MERGE : mode; // raw scopes are merged before defaults apply
        return new ProxyHeadersConfig(rule.entries(outer.proxySetHeader(), inner.proxySetHeader(), SetHeader::name),
                mode);
    }
}
