package dev.modhttp.boot;

import dev.modhttp.engine.modules.proxy.ProxyModule;
import dev.modhttp.engine.Engine;
import dev.modhttp.engine.ReloadResult;
import dev.modhttp.engine.config.ConfigDump;
import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code engine} endpoint: per server and location, the compiled pipeline (phase, order,
 * handler name) and the merged config record of every module that is configured there; every
 * upstream peer with its health and counts ({@code upstreams}); and the configuration
 * generation with its reloads ({@code reloads}). Its write operation ({@code POST}) reloads the
 * configuration from the config files ({@link #reload()}).
 */
@Endpoint(id = "engine")
public class EngineEndpoint {

    private final Engine engine;

    public EngineEndpoint(Engine engine) {
        this.engine = engine;
    }

    @ReadOperation
    public Map<String, Object> engine() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("running", engine.isRunning());
        out.put("ports", engine.ports());
        out.put("status", engine.status());
        out.put("reloads", engine.reloads());
        List<Object> servers = new ArrayList<>();
        for (ServerConfig server : engine.config().servers()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("path", server.path());
            s.put("listen", server.listens().stream().map(Listen::address).toList());
            s.put("serverNames", server.names());
            s.put("pipeline", engine.pipelines().get(server.path()));
            s.put("config", records(server.scope()));
            List<Object> locations = new ArrayList<>();
            for (Location top : server.scope().children()) {
                top.forEach(l -> locations.add(location(l)));
            }
            s.put("locations", locations);
            servers.add(s);
        }
        out.put("servers", servers);
        engine.module(ProxyModule.class).ifPresent(proxy -> out.put("upstreams", proxy.peers()));
        return out;
    }

    /**
     * Reads the configuration files again and reloads the engine: {@code applied} (true: the new
     * generation serves; false: refused, the old one goes on), {@code generation}, {@code error}
     * (the property and file:line of a refused one) and {@code tookMillis}.
     */
    @WriteOperation
    public Map<String, Object> reload() {
        ReloadResult r = engine.reload();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("applied", r.applied());
        out.put("generation", r.generation());
        out.put("error", r.error());
        out.put("tookMillis", r.took().toMillis());
        return out;
    }

    private Map<String, Object> location(Location l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", l.path());
        m.put("location", l.pattern());
        m.put("pipeline", engine.pipelines().get(l.path() + " " + l.pattern()));
        m.put("config", records(l));
        return m;
    }

    private Map<String, Object> records(Location l) {
        return ConfigDump.records(l, engine.configSpecs());
    }
}
