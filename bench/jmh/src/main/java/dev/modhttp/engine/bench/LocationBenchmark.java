package dev.modhttp.engine.bench;

import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.modules.rewrite.ReturnModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Location selection (nginx's static tree, then regexes) in a server of 40 locations: 30
 * prefixes two levels deep, 4 exact, 6 regexes (two case-insensitive, one ^~ prefix before
 * them). URIs: an exact hit, a deep prefix whose regexes all miss, and a regex hit.
 */
@State(Scope.Thread)
public class LocationBenchmark extends EngineBenchmark {

    @Param({"/health", "/api/v2/orders/1234/items", "/assets/img/logo.PNG"})
    public String uri;

    private ServerConfig server;
    private String uriBytes;

    @Setup
    public void setUp() {
        List<Map<String, Object>> locations = new ArrayList<>();
        for (String exact : List.of("/", "/health", "/ready", "/favicon.ico")) {
            locations.add(Map.of("location", "= " + exact, "return", "204"));
        }
        for (String area : List.of("api", "admin", "static", "docs", "blog", "shop")) {
            List<Map<String, Object>> nested = new ArrayList<>();
            for (String sub : List.of("v1", "v2", "users", "orders")) {
                nested.add(Map.of("location", "/" + area + "/" + sub + "/", "return", "204"));
            }
            locations.add(Map.of("location", "/" + area + "/", "return", "204", "locations", nested));
        }
        locations.add(Map.of("location", "^~ /downloads/", "return", "204"));
        locations.add(Map.of("location", "~ \\.php$", "return", "204"));
        locations.add(Map.of("location", "~* \\.(gif|jpe?g|png|webp)$", "return", "204"));
        locations.add(Map.of("location", "~* \\.(css|js)$", "return", "204"));
        locations.add(Map.of("location", "~ ^/u/(?<user>[a-z]+)/", "return", "204"));
        locations.add(Map.of("location", "~ /\\.", "return", "204"));
        Map<String, Object> config = Map.of("servers", List.of(Map.of("listen", List.of("127.0.0.1:0"),
                "locations", locations)));
        server = EngineConfig.load(config, List.of(CoreModule.CONFIG, ReturnModule.CONFIG), "0").servers().get(0);
        uriBytes = Location.toByteString(uri);
    }

    @Benchmark
    public Location select() {
        return server.select(uriBytes);
    }
}
