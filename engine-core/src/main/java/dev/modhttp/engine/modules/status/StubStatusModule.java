package dev.modhttp.engine.modules.status;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.EngineStatus;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Result;

/**
 * nginx's stub_status: {@code stub-status: on} at a location answers GET and HEAD with the
 * engine's counts in nginx's text format, which monitoring agents written for nginx read:
 *
 * <pre>
 * Active connections: 2
 * server accepts handled requests
 *  16 16 31
 * Reading: 0 Writing: 1 Waiting: 1
 * </pre>
 *
 * Protect the location like any other ({@code access: ["allow 127.0.0.1", "deny all"]}).
 */
public final class StubStatusModule implements Module {

    /** {@code stub-status: on}. */
    public record StubStatusConfig(
            @KeyDoc(defaultValue = "off", meaning = "`on`: nginx's status text (active, accepts, handled, requests, reading, "
                    + "writing, waiting)")
            Boolean stubStatus) {
    }

    public static final ConfigSpec<StubStatusConfig> CONFIG = ConfigSpec.flat(StubStatusConfig.class)
            .scopes(Scope.LOCATION)
            .build();

    private volatile EngineInfo engine;

    @Override
    public void register(ModuleRegistry registry) {
        registry.hook(new Hook() {
            @Override
            public HookResult init(EngineInfo info) {
                engine = info;
                return HookResult.GO_ON;
            }
        });
        registry.contentHandler(CONFIG, this::handle).name("stub-status").discardsBody();
    }

    private Result handle(HttpExchange exchange) {
        StubStatusConfig conf = exchange.config(CONFIG);
        if (conf == null || !Boolean.TRUE.equals(conf.stubStatus())) {
            return Result.DECLINED;
        }
        String method = exchange.request().method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Result.status(405);
        }
        EngineStatus s = engine.status();
        exchange.response().status(200).contentType("text/plain").body("Active connections: " + s.active() + " \n"
                        + "server accepts handled requests\n"
                        + " " + s.accepted() + " " + s.handled() + " " + s.requests() + " \n"
                        + "Reading: " + s.reading() + " Writing: " + s.writing() + " Waiting: " + s.waiting() + " \n");
        return Result.OK;
    }
}
