package dev.modhttp.boot;

import dev.modhttp.engine.ConfigSource;
import dev.modhttp.engine.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The engine's configuration read again for a reload, as Spring Boot read it at startup:
 * {@code application.yml} and {@code application.properties} (with the active profiles'
 * variants and {@code spring.config.import}s) loaded anew from their locations by Boot's own
 * config-data loader, over the same command-line arguments, system properties and environment
 * variables; then {@code engine.*} is read from it as at startup. An error is described with the
 * full property name and the file and line of the new files.
 *
 * <p>Boot's {@code server.port} is read at startup only: the servers without {@code listen} keep
 * the port they started on.
 */
final class EngineConfigSource implements ConfigSource {

    /** The prefix of the names Boot gives the property sources of config files. */
    private static final String CONFIG_DATA = "Config resource '";

    private final ConfigurableEnvironment live;
    private final ResourceLoader resources;
    private final SslBundles bundles;
    private final String serverPort;
    /** The environment of the last read, where a refused configuration's origins are found. */
    private volatile ConfigurableEnvironment lastRead;

    EngineConfigSource(ConfigurableEnvironment live, ResourceLoader resources, SslBundles bundles) {
        this.live = live;
        this.resources = resources;
        this.bundles = bundles;
        this.serverPort = live.getProperty("server.port", "8080");
        this.lastRead = live;
    }

    @Override
    public Map<String, ?> read() {
        ConfigurableEnvironment env = reread();
        lastRead = env;
        Map<String, Object> tree = EngineConfigTree.read(env);
        BootServerProperties.apply(env, tree, serverPort, bundles, ManagementServer.served(resources));
        return tree;
    }

    @Override
    public String describe(RuntimeException error) {
        if (error instanceof ConfigException e) {
            return EngineConfigTree.describe(e, lastRead).getMessage();
        }
        // Boot's loader names the file, its YAML parser the line ("in 'reader', line 7"): both
        StringBuilder message = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage().replace('\n', ' '));
            }
        }
        return message.toString();
    }

    /** A new environment: the live one's sources but its config files, which Boot's loader reads again. */
    private ConfigurableEnvironment reread() {
        StandardEnvironment fresh = new StandardEnvironment();
        MutablePropertySources sources = fresh.getPropertySources();
        List.copyOf(sources.stream().map(PropertySource::getName).toList()).forEach(sources::remove);
        for (PropertySource<?> s : live.getPropertySources()) {
            if (!s.getName().startsWith(CONFIG_DATA) && !s.getName().equals("configurationProperties")) {
                sources.addLast(s);
            }
        }
        fresh.setActiveProfiles(live.getActiveProfiles());
        fresh.setDefaultProfiles(live.getDefaultProfiles());
        ConfigDataEnvironmentPostProcessor.applyTo(fresh, resources, null, Arrays.asList(live.getActiveProfiles()));
        return fresh;
    }

    /** The config files the environment of the last read came from that are files on a disk (not in a jar). */
    Set<Path> files() {
        Set<Path> files = new LinkedHashSet<>();
        for (PropertySource<?> s : lastRead.getPropertySources()) {
            if (s.getName().startsWith(CONFIG_DATA) && s instanceof EnumerablePropertySource<?> e
                    && s instanceof OriginLookup<?> && e.getPropertyNames().length > 0) {
                @SuppressWarnings("unchecked")
                Origin origin = ((OriginLookup<String>) s).getOrigin(e.getPropertyNames()[0]);
                Resource resource = origin instanceof TextResourceOrigin t ? t.getResource() : null;
                if (resource != null && resource.isFile()) {
                    try {
                        files.add(resource.getFile().toPath().toAbsolutePath().normalize());
                    } catch (IOException ignored) {
                        // not a file after all: not watched
                    }
                }
            }
        }
        return files;
    }
}
