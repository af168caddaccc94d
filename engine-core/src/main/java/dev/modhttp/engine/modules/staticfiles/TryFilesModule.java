package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * nginx's {@code try_files}, in PRECONTENT: the entries are tried in order against the
 * location's {@code root} or {@code alias} (variables such as {@code $uri} substituted; an entry
 * written ending in {@code /} must be a directory); the first that exists becomes the request's URI
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

    private final StaticModule files;

    /** try-files over the paths {@code files} maps URIs to. */
    public TryFilesModule(StaticModule files) {
        this.files = files;
    }

    /** The entries, the last one being the fallback. */
    @KeyDoc(meaning = "`[$uri, $uri/, /index.html]`: first existing file becomes the URI, else the last entry (a URI with its "
            + "own arguments only, as nginx: `/index.php?$args` keeps the request's; `=code`; `@name`); an entry written with "
            + "a final `/` must be a directory (then nginx's 301); not inherited")
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

    /** The entries of each location, compiled at startup. */
    private Map<TryFilesConfig, Template[]> compiled;

    @Override
    public void register(ModuleRegistry registry) {
        compiled = registry.compileEach(CONFIG, "try-files", c -> c.entries().stream()
                .map(registry.variables()::compile).toArray(Template[]::new));
        registry.handler(Phase.PRECONTENT, this::handle).onlyWhere(CONFIG);
    }

    private Result handle(HttpExchange exchange) {
        Template[] entries = compiled.get(exchange.config(CONFIG));
        Request request = exchange.request();
        CoreConfig core = exchange.config(CoreModule.CONFIG);
        if (core.root() != null || core.alias() != null) {
            if (Aliases.at(exchange.location(), core) != null && Aliases.cannotMap(exchange)) {
                return Result.ERROR; // nginx maps the first entry as the static module would
            }
            for (int i = 0; i < entries.length - 1; i++) {
                String name = entries[i].render(exchange);
                StaticModule.Mapped mapped = files.map(exchange, core, name);
                if (mapped == null) {
                    continue;
                }
                // nginx tests a regex location's alias followed by the entry (alias + "$uri"), not the entry mapped
                Path p = mapped.regexAlias() ? Path.of(mapped.path() + name) : mapped.path();
                // as written, not as rendered: "$uri" wants a file even when the URI ends with "/"
                boolean dir = entries[i].source().endsWith("/");
                // a mapped path ending with "/" is no file (Path would drop the slash: nginx's open fails
                // there); an alias naming a file itself is that file, whatever the URI's slash
                boolean slashed = name.endsWith("/") && !mapped.aliasItself();
                if (dir ? Files.isDirectory(p) : !slashed && Files.isRegularFile(p)) {
                    if (dir && name.length() > 1 && name.endsWith("/")) {
                        name = name.substring(0, name.length() - 1); // nginx: then the static 301 to "dir/"
                    }
                    if (!name.equals(request.uri())) {
                        request.setUri(name, request.args()); // stays in this location, as nginx does
                    }
                    return Result.OK;
                }
            }
        }
        String last = entries[entries.length - 1].render(exchange);
        if (last.startsWith("=")) {
            return Result.status(Integer.parseInt(last.substring(1))); // checked at startup
        }
        int q = last.indexOf('?');
        // nginx: the fallback's own arguments only; "$uri?$args" keeps the request's
        return q < 0 ? Result.internalRedirect(last, "")
                : Result.internalRedirect(last.substring(0, q), last.substring(q + 1));
    }
}
