package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.jspecify.annotations.Nullable;

/**
 * The {@code enginelocation} endpoint: which server and location a host and an already
 * normalized URI select, and the steps of nginx's search that led there.
 */
@Endpoint(id = "enginelocation")
public class EngineLocationEndpoint {

    private final Engine engine;

    public EngineLocationEndpoint(Engine engine) {
        this.engine = engine;
    }

    @ReadOperation
    public Map<String, Object> select(String uri, @Nullable String host) {
        ServerConfig server = engine.selectServer(host);
        List<String> trace = new ArrayList<>();
        trace.add("server " + server.path() + " " + server.names() + (host == null ? " (no host given: the default)"
                : " for host " + host));
        Location l = server.scope().explain(Location.toByteString(uri), trace);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("server", server.path());
        out.put("location", l == null ? null : l.pattern());
        out.put("path", l == null ? null : l.path());
        out.put("why", trace);
        return out;
    }
}
