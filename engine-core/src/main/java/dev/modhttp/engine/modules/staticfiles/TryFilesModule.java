package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.modules.core.CoreConfig;
import dev.modhttp.engine.modules.core.CoreModule;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * nginx's {@code try_files}, in PRECONTENT: the entries are tried in order against the
 * location's {@code root} or {@code alias} ({@code $uri} and {@code $args} substituted; an entry
 * ending in {@code /} must be a directory); the first that exists becomes the request's URI
 * and the request goes on in this location. Otherwise the last entry decides: {@code =code}
 * finishes with that status, {@code @name} or a URI redirects internally.
 *
 * <pre>
 * - location: /
 *   try-files: [$uri, $uri/, /index.html]
 * </pre>
 *
 * Written at location scope and, like nginx's, not inherited by nested locations.
 */
public final class TryFilesModule implements Module {

    /** The entries, the last one being the fallback. */
    public record TryFilesConfig(List<String> entries) {
        public TryFilesConfig {
            if (entries != null && entries.size() < 2) {
                throw new IllegalArgumentException("try-files needs at least one file and a fallback");
            }
            String last = entries == null ? "" : entries.get(entries.size() - 1);
            if (last.startsWith("=") && !last.matches("=[1-9][0-9]{2}")) {
                throw new IllegalArgumentException("'" + last + "' is not =code (e.g. =404)");
            }
        }
    }

    public static final ConfigSpec<TryFilesConfig> CONFIG = ConfigSpec.block("try-files", TryFilesConfig.class)
            .scopes(Scope.LOCATION)
            .inherited(false)
            .build();

    @Override
    public List<ConfigSpec<?>> configs() {
        return List.of(CONFIG);
    }

    @Override
    public void register(ModuleRegistry registry) {
        registry.handler(new HandlerDefinition(Phase.PRECONTENT, 0, "try-files", TryFilesModule::handle, false,
                l -> l.isConfigured(CONFIG)));
    }

    static Result handle(HttpExchange exchange) {
        List<String> entries = exchange.config(CONFIG).entries();
        Request request = exchange.request();
        CoreConfig core = exchange.config(CoreModule.CONFIG);
        if (core.root() != null || core.alias() != null) {
            for (int i = 0; i < entries.size() - 1; i++) {
                String name = substitute(entries.get(i), request);
                StaticModule.Mapped mapped = StaticModule.map(exchange.location(), core, name);
                if (mapped == null) {
                    continue;
                }
                Path p = mapped.path();
                if (name.endsWith("/") ? Files.isDirectory(p) : Files.isRegularFile(p)) {
                    if (!name.equals(request.uri())) {
                        request.setUri(name, request.args()); // stays in this location, as nginx does
                    }
                    return Result.OK;
                }
            }
        }
        String last = substitute(entries.get(entries.size() - 1), request);
        if (last.startsWith("=")) {
            return Result.status(Integer.parseInt(last.substring(1))); // checked at startup
        }
        int q = last.indexOf('?');
        return q < 0 ? exchange.internalRedirect(last, request.args())
                : exchange.internalRedirect(last.substring(0, q), last.substring(q + 1));
    }

    private static String substitute(String entry, Request request) {
        return entry.indexOf('$') < 0 ? entry : entry.replace("$uri", request.uri()).replace("$args", request.args());
    }
}
