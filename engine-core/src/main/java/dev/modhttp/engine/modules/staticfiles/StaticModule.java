package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.modules.staticfiles.OpenFileCache.FileInfo;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.modules.compression.CompressionModule;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Hooks;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import io.netty.handler.codec.http.HttpHeaderNames;
import dev.modhttp.engine.http.Response;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variable;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves files, nginx's static and index modules: {@code root} or {@code alias} maps the
 * normalized URI to a path that can never lie outside the root (the URI has no dot segments,
 * and the resolved real path is checked again); a URI ending in {@code /} tries the
 * {@code index} files in order by internal redirect; a directory without the slash gets a 301
 * to the slash form. Files go out zero-copy where the connection allows, with
 * {@code Content-Type} from the extension, {@code Last-Modified} and nginx's strong
 * {@code ETag}; conditional requests get 304 or 412 (see {@link Conditionals}).
 *
 * <p>Unlike nginx there is no default root: without {@code root} or {@code alias} the module
 * declines, so an application serves no files by accident.
 */
public final class StaticModule implements Module {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** The attribute holding the file path a request maps to, set before the physicalPath hook. */
    public static final String PHYSICAL_PATH = "static.physicalPath";
    /** The attribute holding the document root (root or alias) of a request, set before the docroot hook. */
    public static final String DOCUMENT_ROOT = "static.documentRoot";

    public static final ConfigSpec<StaticConfig> CONFIG = ConfigSpec.flat(StaticConfig.class)
            .defaults(StaticConfig.DEFAULTS)
            .build();

    private Hooks hooks;

    /** {@code $document_root} (the root or alias) and {@code $request_filename} (the file a request maps to). */
    @Override
    public Map<String, Variable> variables() {
        return Map.of(
                "document_root", e -> {
                    CoreConfig c = e.config(CoreModule.CONFIG);
                    Path base = resolve(e, Aliases.at(e.location(), c) != null ? c.alias() : c.root());
                    return base == null ? null : base.toString();
                },
                "request_filename", e -> {
                    Mapped m = map(e, e.config(CoreModule.CONFIG), e.request().uri());
                    return m == null ? null : m.path().toString();
                });
    }

    /** Roots and aliases with variables ({@code alias /srv/img/$1}), compiled once, by the Path written. */
    private final Map<Path, Template> pathTemplates = new IdentityHashMap<>();

    @Override
    public void register(ModuleRegistry registry) {
        this.hooks = registry.hooks();
        registry.compileEach(CoreModule.CONFIG, "root", c -> compilePath(registry, c.root()));
        registry.compileEach(CoreModule.CONFIG, "alias", c -> compilePath(registry, c.alias()));
        registry.forEachLocation(l -> {
            StaticConfig.CacheLimits limits = l.config(CONFIG).openFileCache();
            if (limits.max() > 0) {
                // a reload keeps the cache of limits that stay (entries are checked again after "valid" anyway)
                caches.computeIfAbsent(limits, k -> registry.carry(List.of("open-file-cache", k),
                        () -> new OpenFileCache(k), null));
            }
        });
        // last in CONTENT everywhere, as nginx's static handler: without a root it answers as over
        // a root that holds nothing (405 for other methods, else 404)
        registry.handler(Phase.CONTENT, this::handle).name("static").order(Order.LAST).discardsBody();
    }

    private Result handle(HttpExchange exchange) throws IOException {
        Request request = exchange.request();
        String method = request.method();
        boolean get = method.equals("GET") || method.equals("HEAD");
        if (!get && !method.equals("POST")) {
            return Result.status(405);
        }
        CoreConfig conf = exchange.config(CoreModule.CONFIG);
        boolean aliased = Aliases.at(exchange.location(), conf) != null;
        Path base = resolve(exchange, aliased ? conf.alias() : conf.root());
        if (base == null) {
            // as over a root that holds nothing: an absolute first index entry still redirects
            return request.uri().endsWith("/") ? index(exchange, conf, null) : Result.status(404);
        }
        if (aliased && Aliases.cannotMap(exchange)) {
            return Result.ERROR;
        }
        exchange.attribute(DOCUMENT_ROOT, base);
        HookResult hr = hooks.docroot(exchange);
        if (!hr.goOn()) {
            return Result.status(hr.status());
        }
        Mapped mapped = map(exchange, conf, request.uri());
        if (mapped == null) {
            return Result.status(404);
        }
        exchange.attribute(PHYSICAL_PATH, mapped.path());
        hr = hooks.physicalPath(exchange);
        if (!hr.goOn()) {
            return Result.status(hr.status());
        }
        if (request.uri().endsWith("/")) {
            return index(exchange, conf, mapped);
        }
        StaticConfig own = exchange.config(CONFIG);
        FileInfo info = lookup(own, mapped.path());
        if (!info.isFile() && !info.isDirectory() && get && Sidecars.anyEnabled(own)) {
            // nginx's gzip_static answers from the precompressed file alone: the file itself need not exist
            Sidecars.Stat stat = sidecar -> lookup(own, sidecar);
            Sidecars.Variant alone = !CompressionModule.qualifies(exchange) ? null : Sidecars.choose(mapped.path(),
                    Long.MIN_VALUE, request.header("Accept-Encoding"), own, stat);
            if (exchange.config(CompressionModule.CONFIG).gzipVary()
                    && (alone != null || Sidecars.any(mapped.path(), Long.MIN_VALUE, own, stat))) {
                CompressionModule.precompressedExists(exchange); // its Vary on a 404 too
            }
            if (alone != null) {
                exchange.response().header(HttpHeaderNames.CONTENT_ENCODING, alone.coding());
                return openAndSend(exchange, conf, own, alone.path(), alone.info(), MimeTypes.forUri(request.uri(), conf));
            }
        }
        if (info.error != 0) {
            return Result.status(info.error);
        }
        if (info.isDirectory()) {
            String args = request.argsText();
            exchange.response().header(HttpHeaderNames.LOCATION,
                    request.absoluteUrl(escape(request.uriBytes()) + "/" + (args.isEmpty() ? "" : "?" + args)));
            return Result.status(301);
        }
        if (!info.isFile()) {
            return Result.status(404);
        }
        try {
            if (!symlinksAllowed(info, mapped, conf.disableSymlinks())) {
                return Result.status(403);
            }
        } catch (NoSuchFileException e) {
            refresh(own, mapped.path()); // gone since a cached stat
            return Result.status(404);
        }
        if (!get) {
            return Result.status(405);
        }
        Path file = mapped.path();
        String contentType = MimeTypes.forUri(request.uri(), conf); // nginx types by the URI, not the aliased file
        if (Sidecars.anyEnabled(own)) {
            Sidecars.Stat stat = sidecar -> lookup(own, sidecar);
            Sidecars.Variant v = !CompressionModule.qualifies(exchange) ? null : Sidecars.choose(file, info.mtime,
                    request.header("Accept-Encoding"), own, stat);
            if (exchange.config(CompressionModule.CONFIG).gzipVary() && (v != null || Sidecars.any(file, info.mtime,
                    own, stat))) {
                CompressionModule.precompressedExists(exchange);
            }
            if (v != null) {
                file = v.path();
                info = v.info(); // validators and length are the variant's, as nginx's gzip_static sends them
                exchange.response().header(HttpHeaderNames.CONTENT_ENCODING, v.coding());
            }
        }
        return openAndSend(exchange, conf, own, file, info, contentType);
    }

    /** Opens the file now, so that one gone or changed since a cached stat is found before anything is sent; sends it. */
    private Result openAndSend(HttpExchange exchange, CoreConfig conf, StaticConfig own, Path file, FileInfo info,
            String contentType) throws IOException {
        FileChannel channel = null;
        if (info.content == null) {
            channel = OpenFileCache.open(file);
            if (channel == null || OpenFileCache.sizeOf(channel) != info.size()) {
                OpenFileCache.closeQuietly(channel);
                info = refresh(own, file);
                channel = info.isFile() && info.content == null ? OpenFileCache.open(file) : null;
                if (!info.isFile() || info.content == null && channel == null) {
                    return Result.status(info.error == 403 ? 403 : 404);
                }
            }
        }
        try {
            Result r = send(exchange, conf, file, info, channel, contentType);
            channel = null; // handed over to the response
            return r;
        } finally {
            OpenFileCache.closeQuietly(channel);
        }
    }

    private static Result send(HttpExchange exchange, CoreConfig conf, Path file, FileInfo info, FileChannel channel,
            String contentType) throws IOException {
        Request request = exchange.request();
        long mtime = info.mtime;
        String etag = info.etag;
        // an error page's status other than 200 reaches nginx's header filters in place of the file's 200
        boolean ok = exchange.errorPageStatus() == 0 || exchange.errorPageStatus() == 200;
        exchange.response().header(HttpHeaderNames.ETAG, etag);
        if (ok) {
            exchange.response().header(HttpHeaderNames.LAST_MODIFIED, info.lastModified);
            CompressionModule.lastModifiedOfAFile(exchange);
        }
        int condition = !ok ? Conditionals.PROCEED
                : Conditionals.evaluate(request.headers(), request.method(), etag, mtime, conf.ifModifiedSince());
        if (condition != Conditionals.PROCEED) {
            OpenFileCache.closeQuietly(channel);
            if (condition == 304) {
                // nginx's not-modified filter: no type, no coding (gzip-static's) on a 304
                exchange.response().status(304).headers().remove(HttpHeaderNames.CONTENT_ENCODING);
                return Result.DONE; // validators only, no body
            }
            return Result.status(condition);
        }
        if (!exchange.response().headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
            exchange.response().contentType(contentType); // nginx keeps a type set before (X-Accel-Redirect's)
        }
        Integer maxRanges = conf.maxRanges();
        // nginx serves no range of what its gzip filter compresses, nor of a precompressed file (gzip_static allows none)
        if (ok && (maxRanges == null || maxRanges > 0) && !CompressionModule.willCompress(exchange, info.size())
                && !exchange.response().headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
            exchange.response().header(HttpHeaderNames.ACCEPT_RANGES, BYTES);
            Result partial = Ranges.serve(exchange, file, channel, info.size(), etag, mtime, maxRanges, contentType);
            if (partial != null) {
                CompressionModule.markVary(exchange, info.size()); // nginx's gzip filter sees the whole file's 200
                return partial;
            }
        }
        if (info.content != null) {
            exchange.response().status(200).body(info.content.duplicate()); // a small hot file, from memory
        } else {
            exchange.response().status(200).file(new Response.FileBody(file, 0, info.size(), channel));
        }
        return Result.OK;
    }

    private static final String BYTES = "bytes";

    private Result index(HttpExchange exchange, CoreConfig conf, Mapped mapped) throws IOException {
        Path dir = mapped == null ? null : mapped.path();
        StaticConfig own = exchange.config(CONFIG);
        Request r = exchange.request();
        // nginx tests the directory at the first relative entry; an absolute first entry redirects at once
        if (conf.index().isEmpty() || !conf.index().get(0).startsWith("/")) {
            Result notDir = notADirectory(own, mapped);
            if (notDir != null) {
                return notDir;
            }
        }
        for (String name : conf.index()) {
            if (name.startsWith("/")) {
                return Result.internalRedirect(name, r.args()); // nginx: an absolute entry is redirected to as it is
            }
            if (lookup(own, dir.resolve(name)).isFile()) {
                return Result.internalRedirect(r.uri() + name, r.args());
            }
        }
        StaticConfig autoindex = own;
        String method = exchange.request().method();
        if (autoindex.autoindex() && (method.equals("GET") || method.equals("HEAD"))) {
            String listing = Autoindex.render(dir, exchange.request().uri(), autoindex.autoindexFormat());
            exchange.response().status(200)
                    .contentType(autoindex.autoindexFormat() == StaticConfig.Format.JSON
                            ? "application/json" : "text/html")
                    .body(listing);
            return Result.OK;
        }
        return Result.DECLINED; // no index file: the content phase ends with 403 for a directory
    }

    /**
     * nginx's index over what is not a directory: "dir/index.html" under a file fails with ENOTDIR
     * (404); an alias naming a file itself ("fileindex.html" missing, then the directory test) is
     * logged and 500; nothing there is 404; null for a directory.
     */
    private Result notADirectory(StaticConfig own, Mapped mapped) throws IOException {
        if (mapped == null) {
            return Result.status(404); // no root
        }
        Path dir = mapped.path();
        FileInfo info = lookup(own, dir);
        if (info.isDirectory()) {
            return null;
        }
        if (info.isFile() && mapped.aliasItself()) {
            LOG.error("\"{}\" is not a directory", dir);
            return Result.ERROR;
        }
        return Result.status(info.error != 0 ? info.error : 404);
    }

    /**
     * A file path and the real root it must stay within; {@code regexAlias}: mapped through the
     * alias of a regex location, which names the whole path.
     */
    record Mapped(Path path, Path root, boolean aliasItself, boolean regexAlias) {
    }

    /** root + uri, or alias + the part of the uri after the location's prefix; null if the uri escapes. */
    Mapped map(HttpExchange exchange, CoreConfig conf, String uri) {
        Path base;
        String rest;
        Location at = Aliases.at(exchange.location(), conf);
        boolean aliasSlashed = false;
        if (at != null) {
            Template t = pathTemplates.get(conf.alias());
            String alias = t == null ? conf.alias().toString() : t.render(exchange);
            aliasSlashed = alias.endsWith("/"); // "/img/$1" with $1 = "x/": a path under x, as nginx sees it
            base = Path.of(alias);
            rest = switch (at.kind()) {
                // nginx replaces as many bytes as the location's name has: "$uri.html" of "= /a" is alias + ".html"
                case PREFIX, PREFIX_NOREGEX, EXACT -> uri.length() >= at.name().length()
                        ? uri.substring(at.name().length()) : "";
                default -> ""; // a regex location's alias names the file itself
            };
        } else {
            base = resolve(exchange, conf.root());
            rest = uri;
        }
        // the alias itself (nothing after the prefix), not "alias/" (a slash after it: ENOTDIR under a file)
        boolean aliasItself = at != null && rest.isEmpty() && !aliasSlashed;
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        if (rest.indexOf('\0') >= 0) {
            return null;
        }
        Path path = rest.isEmpty() ? base : base.resolve(rest);
        // request URIs arrive normalized; a rewritten one may still climb with ".."
        if (rest.contains("..") && !path.normalize().startsWith(base.normalize())) {
            return null;
        }
        return new Mapped(path, base, aliasItself, at != null && at.regex() != null);
    }

    /** A root or alias with variables compiled (validated at startup), or null for a plain path. */
    private Template compilePath(ModuleRegistry registry, Path path) {
        if (path == null || path.toString().indexOf('$') < 0) {
            return null;
        }
        Template t = registry.variables().compile(path.toString());
        pathTemplates.put(path, t);
        return t;
    }

    /** {@code path} with its variables rendered for this request (the location's captures among them). */
    private Path resolve(HttpExchange exchange, Path path) {
        Template t = path == null ? null : pathTemplates.get(path);
        return t == null ? path : Path.of(t.render(exchange));
    }

    /**
     * The symlink policy: by default the file's real path (symlinks resolved) must lie within
     * the root's real path; {@code on} refuses any symlink between the root and the file;
     * {@code off} follows them all.
     */
    private static boolean symlinksAllowed(FileInfo info, Mapped m, CoreConfig.DisableSymlinks mode)
            throws IOException {
        return switch (mode) {
            case OFF -> true;
            case ON -> info.noSymlinks(m.path(), m.root());
            default -> info.insideRoot(m.path(), m.root());
        };
    }

    /** The open-file caches, one per {@code open-file-cache} written (nested scopes share their parent's). */
    private final Map<StaticConfig.CacheLimits, OpenFileCache> caches = new IdentityHashMap<>();

    private FileInfo lookup(StaticConfig conf, Path path) throws IOException {
        OpenFileCache cache = caches.get(conf.openFileCache());
        return cache == null ? OpenFileCache.stat(path) : cache.lookup(path, conf);
    }

    /** A fresh stat of {@code path}, replacing what the cache held. */
    private FileInfo refresh(StaticConfig conf, Path path) throws IOException {
        OpenFileCache cache = caches.get(conf.openFileCache());
        if (cache == null) {
            return OpenFileCache.stat(path);
        }
        cache.forget(path);
        return cache.lookup(path, conf);
    }

    /** Percent-encodes a byte-string path for a Location header, keeping what a path may hold as is. */
    static String escape(String uriBytes) {
        return Autoindex.percentEncode(uriBytes, "/-._~!$&'()*+,;=:@");
    }
}
