import dev.modhttp.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The engine as benchmarked: GET /hello answered by return 200 "Hello, World!"; with ROOT, the
 * files under it at /files/ (open-file-cache and tcp-nopush on, as nginx's are in the static benchmark).
 * With -Daccess.log=PATH every request is logged there in nginx's combined format.
 * Usage: EngineServer PORT IO_THREADS [ROOT]
 */
public final class EngineServer {

    public static void main(String[] args) {
        List<Map<String, Object>> locations = new ArrayList<>();
        locations.add(Map.of("location", "/hello", "return", "200 Hello, World!"));
        if (args.length > 2) {
            locations.add(Map.of("location", "/files/", "alias", args[2] + "/",
                    "open-file-cache", "max=1000 inactive=60s", "tcp-nopush", true));
        }
        Map<String, Object> config = new java.util.HashMap<>(Map.of("keepalive-requests", 1_000_000,
                "servers", List.of(Map.of("listen", List.of(args[0]), "locations", locations))));
        String log = System.getProperty("access.log");
        if (log != null) {
            config.put("access-log", List.of(log));
        }
        Engine.builder()
                .ioThreads(Integer.parseInt(args[1]))
                .config(config)
                .build()
                .start();
        System.out.println("engine listening on " + args[0]);
    }
}
