package dev.modhttp.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The structural keys of {@code engine.*}, declared for the configuration processor (IDE
 * completion and documentation). The engine itself binds the whole {@code engine} tree, module
 * keys included, through {@code EngineConfigTree}; this class is not used to configure it and
 * is not bound (Spring's list binding would refuse an override of one location's key from the
 * command line, which the engine's own reading merges).
 */
@ConfigurationProperties("engine")
public class EngineProperties {

    /** Whether the engine is assembled and started. */
    private boolean enabled = true;

    /** How the engine stops with the context. */
    private final Shutdown shutdown = new Shutdown();

    /** What reloads the configuration, besides POST /actuator/engine. */
    private final Reload reload = new Reload();

    /** Server blocks (server scope): listen, server-names, locations and module keys allowed at server scope. */
    private List<Server> servers = new ArrayList<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Shutdown getShutdown() {
        return shutdown;
    }

    public Reload getReload() {
        return reload;
    }

    public List<Server> getServers() {
        return servers;
    }

    public void setServers(List<Server> servers) {
        this.servers = servers;
    }

    /** The engine's stop with the context (server.shutdown=graceful). */
    public static class Shutdown {

        /**
         * How long the engine keeps serving after readiness went to REFUSING_TRAFFIC, before it
         * stops accepting: time for load balancers to notice. Taken from
         * spring.lifecycle.timeout-per-shutdown-phase; not applied with server.shutdown=immediate.
         */
        private Duration quietPeriod = Duration.ZERO;

        public Duration getQuietPeriod() {
            return quietPeriod;
        }

        public void setQuietPeriod(Duration quietPeriod) {
            this.quietPeriod = quietPeriod;
        }
    }

    /**
     * Reloading the configuration without a restart: the config files are read again, the new
     * configuration is compiled completely, then swapped in; requests in flight finish on the
     * old one, a configuration that fails is refused and the old one goes on serving.
     */
    public static class Reload {

        /** Whether SIGHUP reloads, as it reloads nginx. */
        private boolean sighup;

        /** Whether a change of a config file the application was started from reloads. */
        private boolean watch;

        public boolean isSighup() {
            return sighup;
        }

        public void setSighup(boolean sighup) {
            this.sighup = sighup;
        }

        public boolean isWatch() {
            return watch;
        }

        public void setWatch(boolean watch) {
            this.watch = watch;
        }
    }

    /** One server block. */
    public static class Server {

        /** Addresses as "[host:]port [default-server]"; port 0 picks a free port. Without it, server.port. */
        private List<String> listen = new ArrayList<>();

        /** Names: exact, "*.suffix", "prefix.*", ".domain" or "~regex". */
        private List<String> serverNames = new ArrayList<>();

        /** Location blocks (location scope), nested through their own "locations". */
        private List<Location> locations = new ArrayList<>();

        public List<String> getListen() {
            return listen;
        }

        public void setListen(List<String> listen) {
            this.listen = listen;
        }

        public List<String> getServerNames() {
            return serverNames;
        }

        public void setServerNames(List<String> serverNames) {
            this.serverNames = serverNames;
        }

        public List<Location> getLocations() {
            return locations;
        }

        public void setLocations(List<Location> locations) {
            this.locations = locations;
        }
    }

    /** One location block. */
    public static class Location {

        /** nginx syntax: "[= | ^~ | ~ | ~*] pattern" or "@name". */
        private String location;

        /** Nested locations. */
        private List<Location> locations = new ArrayList<>();

        public String getLocation() {
            return location;
        }

        public void setLocation(String location) {
            this.location = location;
        }

        public List<Location> getLocations() {
            return locations;
        }

        public void setLocations(List<Location> locations) {
            this.locations = locations;
        }
    }
}
