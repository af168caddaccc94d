package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.LocationChoice;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.jspecify.annotations.Nullable;

/**
 * The {@code enginelocation} endpoint: which server and location a host and a request target
 * select, and the steps of nginx's search that led there ({@link LocationChoice}).
 */
@Endpoint(id = "enginelocation")
public class EngineLocationEndpoint {

    private final Engine engine;

    public EngineLocationEndpoint(Engine engine) {
        this.engine = engine;
    }

    /**
     * @param uri the request target as a client sends it (escapes and dot segments are resolved as for a request)
     * @param host the Host header's value; none for the default server
     */
    @ReadOperation
    public Map<String, Object> select(String uri, @Nullable String host) {
        LocationChoice choice;
        try {
            choice = LocationChoice.of(engine, host, uri);
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage()); // 400, the caller's mistake
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("server", choice.server());
        out.put("location", choice.location());
        out.put("path", choice.path());
        out.put("why", choice.why());
        return out;
    }
}
