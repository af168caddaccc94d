package dev.modhttp.engine.modules.access;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import java.net.InetAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's allow and deny, in ACCESS: the rules are checked in order against the client's
 * address (as real-ip set it) and the first that matches decides: allow lets the request go
 * on, deny answers 403. When none matches, this module has no say. nginx's two directives
 * become one ordered list, since the order across them is what counts:
 *
 * <pre>
 * access: ["deny 192.168.1.1", "allow 192.168.1.0/24", "allow 2001:db8::/32", "deny all"]
 * </pre>
 *
 * A scope without rules inherits its parent's whole list. With {@code satisfy: any}, an allow
 * here lets the request in even if another access module (auth-basic) would refuse it.
 */
public final class AccessModule implements Module {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** The rules of a scope, in order. */
    public record AccessConfig(
            @KeyDoc(meaning = "`[\"deny 192.168.1.1\", \"allow 192.168.1.0/24\", \"allow 2001:db8::/32\", \"deny all\"]`: "
                    + "nginx's allow/deny as one ordered list, first match wins (403), in ACCESS; IPv4 rules match "
                    + "IPv4-mapped IPv6 clients")
            List<AccessRule> access) {
    }

    public static final ConfigSpec<AccessConfig> CONFIG = ConfigSpec.flat(AccessConfig.class).build();

    @Override
    public void register(ModuleRegistry registry) {
        registry.handler(Phase.ACCESS, AccessModule::handle).name("access").onlyWhere(CONFIG);
    }

    private static Result handle(HttpExchange exchange) {
        AccessConfig conf = exchange.config(CONFIG);
        if (conf == null || conf.access() == null) {
            return Result.DECLINED;
        }
        InetAddress client = exchange.request().remoteAddress().getAddress();
        for (AccessRule rule : conf.access()) {
            if (rule.block().matches(client)) {
                if (rule.allow()) {
                    return Result.OK;
                }
                LOG.error("access forbidden by rule, client: {}, request: \"{}\"", Addresses.print(client),
                        exchange.request().requestLine());
                return Result.status(403);
            }
        }
        return Result.DECLINED;
    }
}
