import dev.modhttp.engine.Engine;
import dev.modhttp.engine.EngineBuilder;
import dev.modhttp.engine.modules.websocket.WebSocketEndpoint;
import dev.modhttp.engine.modules.websocket.WebSocketModule;
import dev.modhttp.engine.modules.websocket.WebSocketSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine as benchmarked, configured as a user writes it. GET /hello is answered by
 * return 200 "Hello, World!". With ROOT: {@code root: ROOT} and {@code location /files/} with no
 * other key (the defaults), and {@code location /cached/} (an alias of ROOT/files/) with
 * {@code open-file-cache: "max=1000 inactive=60s"} (tuned). -Dkeepalive.requests=N sets
 * keepalive-requests and -Dworker.connections=N worker-connections (default: the engine's);
 * -Daccess.log=PATH logs every request there in nginx's combined format; -Dwebsocket=true adds /ws/echo,
 * a WebSocket endpoint echoing each message. Usage: EngineServer LISTEN IO_THREADS [ROOT]
 */
public final class EngineServer {

    public static void main(String[] args) {
        List<Map<String, Object>> locations = new ArrayList<>();
        locations.add(Map.of("location", "/hello", "return", "200 Hello, World!"));
        Map<String, Object> server = new HashMap<>(Map.of("listen", List.of(args[0]), "locations", locations));
        if (args.length > 2) {
            server.put("root", args[2]);
            locations.add(Map.of("location", "/files/"));
            locations.add(Map.of("location", "/cached/", "alias", args[2] + "/files/",
                    "open-file-cache", "max=1000 inactive=60s"));
        }
        Map<String, Object> config = new HashMap<>(Map.of("servers", List.of(server)));
        String keepalive = System.getProperty("keepalive.requests");
        if (keepalive != null) {
            config.put("keepalive-requests", Integer.parseInt(keepalive));
        }
        String connections = System.getProperty("worker.connections");
        if (connections != null) {
            config.put("worker-connections", Integer.parseInt(connections));
        }
        String log = System.getProperty("access.log");
        if (log != null) {
            config.put("access-log", List.of(log));
        }
        EngineBuilder builder = Engine.builder().ioThreads(Integer.parseInt(args[1])).config(config);
        if (Boolean.getBoolean("websocket")) { // /ws/echo echoes text and binary messages
            locations.add(Map.of("location", "/ws/echo", "websocket", "echo"));
            builder.module(new WebSocketModule(Map.of("echo", new WebSocketEndpoint() {
                @Override
                public void onText(WebSocketSession session, String message) {
                    session.sendText(message);
                }

                @Override
                public void onBinary(WebSocketSession session, byte[] message) {
                    session.sendBinary(message);
                }
            })));
        }
        builder.build().start();
        System.out.println("engine listening on " + args[0]);
    }
}
