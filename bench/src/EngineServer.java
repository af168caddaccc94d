import dev.modhttp.engine.Engine;
import java.util.List;
import java.util.Map;

/** The engine as benchmarked: GET /hello answered by return 200 "Hello, World!". Usage: EngineServer PORT IO_THREADS */
public final class EngineServer {

    public static void main(String[] args) {
        Engine.builder()
                .ioThreads(Integer.parseInt(args[1]))
                .config(Map.of("servers", List.of(Map.of(
                        "listen", List.of(args[0]),
                        "locations", List.of(Map.of("location", "/hello", "return", "200 Hello, World!"))))))
                .build()
                .start();
        System.out.println("engine listening on " + args[0]);
    }
}
