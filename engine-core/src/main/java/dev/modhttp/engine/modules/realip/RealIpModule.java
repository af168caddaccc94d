package dev.modhttp.engine.modules.realip;

import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Variable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * nginx's realip module: when the connection comes from a trusted proxy
 * ({@code set-real-ip-from}), the client's address is taken from {@code real-ip-header}
 * ({@code X-Real-IP} by default, {@code X-Forwarded-For}, or {@code proxy_protocol} for the
 * address a PROXY protocol header gave), so that access rules, limits and logs see the client.
 * Runs in POST_READ with the server's settings and again in PREACCESS for a location that has
 * its own, at most once per request. {@code $realip_remote_addr} and
 * {@code $realip_remote_port} keep the address the connection came from.
 *
 * <pre>
 * set-real-ip-from: [10.0.0.0/8, "2001:db8::/32"]
 * real-ip-header: X-Forwarded-For
 * real-ip-recursive: on
 * </pre>
 */
public final class RealIpModule implements Module {

    public static final ConfigSpec<RealIpConfig> CONFIG = ConfigSpec.flat(RealIpConfig.class)
            .defaults(RealIpConfig.DEFAULTS)
            .build();

    private static final Object ORIGINAL = new Object();

    @Override
    public Map<String, Variable> variables() {
        return Map.of(
                "realip_remote_addr", e -> Addresses.print(original(e)),
                "realip_remote_port", e -> Integer.toString(original(e).getPort()));
    }

    @Override
    public void register(ModuleRegistry registry) {
        registry.handler(Phase.POST_READ, RealIpModule::handle).name("real-ip")
                .onlyWhere(l -> !l.config(CONFIG).setRealIpFrom().isEmpty());
        registry.handler(Phase.PREACCESS, RealIpModule::handle).name("real-ip").order(Order.EARLY).inLocationsOnly()
                .onlyWhere(l -> !l.config(CONFIG).setRealIpFrom().isEmpty());
    }

    private static InetSocketAddress original(HttpExchange e) {
        InetSocketAddress o = e.attribute(ORIGINAL);
        return o != null ? o : e.request().remoteAddress();
    }

    private static Result handle(HttpExchange exchange) {
        if (exchange.attribute(ORIGINAL) != null) {
            return Result.DECLINED; // done in POST_READ already
        }
        RealIpConfig conf = exchange.config(CONFIG);
        Request request = exchange.request();
        InetSocketAddress from = request.remoteAddress();
        if (!conf.trusts(from.getAddress())) {
            return Result.DECLINED;
        }
        InetSocketAddress client = null;
        if (conf.realIpHeader().equalsIgnoreCase("proxy_protocol")) {
            client = exchange.connection().proxyProtocolAddress();
        } else {
            List<String> values = request.headers().getAll(conf.realIpHeader());
            if (!values.isEmpty()) {
                InetAddress a = forwarded(String.join(",", values), conf);
                client = a == null ? null : new InetSocketAddress(a, 0);
            }
        }
        if (client != null) {
            exchange.attribute(ORIGINAL, from);
            request.setRemoteAddress(client);
        }
        return Result.DECLINED;
    }

    /**
     * nginx's walk of a list of addresses from the right: without recursion the last one; with
     * it, the last one that is not a trusted proxy (or the first, if all are). A value that is
     * not an address leaves the connection's address in place. An entry may carry a port
     * ({@code 203.0.113.7:51008}, {@code [2001:db8::7]:443}).
     */
    static InetAddress forwarded(String header, RealIpConfig conf) {
        String[] parts = header.split(",");
        InetAddress found = null;
        for (int i = parts.length - 1; i >= 0; i--) {
            String p = parts[i].trim();
            if (p.isEmpty()) {
                continue;
            }
            InetAddress address = Addresses.parseAddress(p); // with or without a port, as nginx's parser
            if (address == null) {
                return found; // nginx stops at the first value that is not an address
            }
            found = address;
            if (!conf.realIpRecursive() || !conf.trusts(found)) {
                return found;
            }
        }
        return found;
    }
}
