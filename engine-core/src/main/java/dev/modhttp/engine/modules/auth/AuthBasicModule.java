package dev.modhttp.engine.modules.auth;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's auth_basic, in ACCESS: {@code auth-basic: "Admin area"} asks for a user of
 * {@code auth-basic-user-file} (an htpasswd file with bcrypt or {SHA} entries) and answers 401
 * with {@code WWW-Authenticate: Basic realm="Admin area"} until one is given; {@code off} in a
 * child scope lifts it. Password hashes are checked on a small pool of the module's threads
 * (bcrypt is slow on purpose, and an event loop must not wait for it); a checked credential is
 * remembered (1024 at most), so a client's following requests cost no hashing. The file is
 * read at startup (a bad entry fails it), again when its time changes (looked at once a second
 * at most; a broken new version is refused and the old one kept) and on the {@code reload} hook.
 *
 * <pre>
 * - location: /admin/
 *   auth-basic: "Admin area"
 *   auth-basic-user-file: /etc/app/htpasswd
 * </pre>
 */
public final class AuthBasicModule implements Module {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");
    private static final int REMEMBERED = 1024;

    /** The realm ({@code off}: none) and the users' file. */
    public record AuthBasicConfig(
            @KeyDoc(defaultValue = "off", meaning = "`\"Admin area\"`: HTTP Basic against `auth-basic-user-file`, 401 with "
                    + "`WWW-Authenticate`; `off` lifts it in a child; hashes checked off the event loop, good credentials "
                    + "remembered")
            String authBasic,
            @KeyDoc(meaning = "htpasswd file with bcrypt (`htpasswd -B`), `{SHA}` or `{SSHA}` entries; plain text refused at "
                    + "startup; read again when it changes (checked once a second; a broken version is refused, the old one "
                    + "kept) and on the `reload` hook")
            Path authBasicUserFile) {

        boolean isOn() {
            return authBasic != null && !authBasic.equals("off") && !authBasic.equals("false");
        }
    }

    public static final ConfigSpec<AuthBasicConfig> CONFIG = ConfigSpec.flat(AuthBasicConfig.class).build();

    private final Map<Path, Htpasswd> files = new ConcurrentHashMap<>();
    /** Credentials (file, Authorization header) checked and found good, least recently used forgotten. */
    private final Map<String, Boolean> verified = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private ExecutorService hashing;

    @Override
    public void register(ModuleRegistry registry) {
        registry.forEachLocation(l -> {
            AuthBasicConfig c = l.isConfigured(CONFIG) ? l.config(CONFIG) : null;
            if (c == null || !c.isOn()) {
                return;
            }
            if (c.authBasicUserFile() == null) {
                throw new ConfigException(l.path(), "auth-basic", "needs auth-basic-user-file");
            }
            files.computeIfAbsent(c.authBasicUserFile(), file -> {
                try {
                    return Htpasswd.read(file);
                } catch (IOException | IllegalArgumentException e) {
                    throw new ConfigException(l.path(), "auth-basic-user-file", "cannot use " + file + ": "
                            + e.getMessage(), e);
                }
            });
        });
        if (files.isEmpty()) {
            return;
        }
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        hashing = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "modhttp-auth-basic");
            t.setDaemon(true);
            return t;
        });
        registry.handler(Phase.ACCESS, this::handle).name("auth-basic").order(Order.LATE).onlyWhere(CONFIG, c -> c.isOn());
        registry.hook(new Hook() {
            @Override
            public HookResult reload(EngineInfo engine) {
                files.replaceAll((file, old) -> {
                    try {
                        return Htpasswd.read(file);
                    } catch (IOException | IllegalArgumentException e) {
                        LOG.error("auth-basic-user-file {} not reloaded, the old one stays: {}", file, e.getMessage());
                        return old;
                    }
                });
                synchronized (verified) {
                    verified.clear();
                }
                return HookResult.GO_ON;
            }

            @Override
            public HookResult cleanup(EngineInfo engine) {
                hashing.shutdownNow();
                return HookResult.GO_ON;
            }
        });
    }

    private Result handle(HttpExchange exchange) {
        AuthBasicConfig conf = exchange.config(CONFIG);
        String header = exchange.request().header(HttpHeaderNames.AUTHORIZATION.toString());
        String[] credentials = credentials(header);
        if (credentials == null) {
            return unauthorized(exchange, conf);
        }
        Htpasswd users = current(conf.authBasicUserFile());
        String key = users.generation + "\0" + header;
        synchronized (verified) {
            if (verified.get(key) != null) {
                return Result.OK;
            }
        }
        CompletableFuture<Result> check = new CompletableFuture<>();
        try {
            hashing.execute(() -> {
                if (users.verify(credentials[0], credentials[1])) {
                    synchronized (verified) {
                        verified.put(key, Boolean.TRUE);
                    }
                    check.complete(Result.OK);
                } else {
                    LOG.error("user \"{}\": password mismatch, client: {}, request: \"{}\"", credentials[0],
                            exchange.request().remoteAddressText(),
                            exchange.request().requestLine());
                    check.complete(unauthorized(exchange, conf));
                }
            });
        } catch (RejectedExecutionException e) {
            return Result.status(503);
        }
        return Result.pending(check);
    }

    /** The users of {@code file}, read again when the file changed (compared once a second at most). */
    private Htpasswd current(Path file) {
        Htpasswd users = files.get(file);
        long now = System.nanoTime();
        if (now - users.checkedAt < 1_000_000_000L) {
            return users;
        }
        users.checkedAt = now;
        try {
            if (!Files.getLastModifiedTime(file).equals(users.modified)) {
                Htpasswd fresh = Htpasswd.read(file);
                files.put(file, fresh);
                return fresh;
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("auth-basic-user-file {} changed but cannot be used, the old one stays: {}", file, e.getMessage());
        }
        return users;
    }

    private static Result unauthorized(HttpExchange exchange, AuthBasicConfig conf) {
        String realm = conf.authBasic().replace("\\", "\\\\").replace("\"", "\\\"");
        exchange.response().header(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"" + realm + "\"");
        return Result.status(401);
    }

    /** User and password of a {@code Basic} Authorization header, or null when there are none. */
    static String[] credentials(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon <= 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }
}
