package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.http.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where an {@code alias} applies, for the static files and try-files modules. */
final class Aliases {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    private Aliases() {
    }

    /**
     * The location that wrote the alias this location maps through (nginx replaces its prefix, also
     * in nested locations), or null when the location maps through root: nginx keeps one document
     * root per location, so a root written below the alias's location replaces the alias.
     */
    static Location at(Location location, CoreConfig conf) {
        if (conf.alias() == null) {
            return null;
        }
        Location at = location;
        while (at.parent() != null && at.parent().kind() != Location.Kind.SERVER
                && at.parent().config(CoreModule.CONFIG).alias() == conf.alias()) {
            if (at.config(CoreModule.CONFIG).root() != at.parent().config(CoreModule.CONFIG).root()) {
                return null; // a root written between the alias and here wins
            }
            at = at.parent();
        }
        return at;
    }

    /**
     * Whether a URI changed in its location ({@code rewrite ... break}) is to be mapped through an
     * alias, which nginx refuses (ngx_http_map_uri_to_path): logged as nginx logs it; the request
     * then ends in 500.
     */
    static boolean cannotMap(HttpExchange exchange) {
        if (!exchange.uriRewrittenInLocation()) {
            return false;
        }
        LOG.error("\"alias\" cannot be used in location \"{}\" where URI was rewritten", exchange.location().pattern());
        return true;
    }
}
