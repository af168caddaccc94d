package dev.modhttp.engine;

import dev.modhttp.engine.config.ConfigDump;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The engine without Spring, for users without a Spring application and for operations, with
 * nginx's command-line flags:
 *
 * <pre>
 * java -jar engine-core-VERSION-standalone.jar -c engine.yml      run it
 * java -jar engine-core-VERSION-standalone.jar -t -c engine.yml   test it: exit 0, or 1 naming the property and FILE:LINE
 * java -jar engine-core-VERSION-standalone.jar -T -c engine.yml   test it and print every server's and location's merged configuration
 * </pre>
 *
 * The file holds the engine's keys at its root, or under {@code engine:} (an
 * {@code application.yml} as it is). Running, SIGHUP reloads the file (a configuration that
 * fails is refused, named with its line, and the one serving goes on) and SIGTERM or Ctrl-C stops
 * gracefully, giving requests in flight up to 30 s. A server without {@code listen} listens on 8080.
 */
public final class Standalone {

    /** How long a stop waits for requests in flight. */
    static final Duration GRACE = Duration.ofSeconds(30);

    private Standalone() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (System.getProperty("logback.configurationFile") == null) { // before the first logger: the runner's log
            System.setProperty("logback.configurationFile", "dev/modhttp/engine/standalone-logback.xml");
        }
        Engine engine;
        try {
            Outcome o = run(args, System.out, System.err);
            if (o.engine() == null) {
                System.exit(o.exitCode());
                return;
            }
            engine = o.engine();
        } catch (RuntimeException e) {
            System.err.println("engine: [emerg] " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> engine.stop(GRACE), "engine-stop"));
        Thread.currentThread().join(); // serves until the JVM is stopped
    }

    /** What a command line did: an exit code, or the engine it started (run mode). */
    record Outcome(int exitCode, Engine engine) {
    }

    /** Carries out a command line; in run mode returns the started engine, else the exit code. */
    static Outcome run(String[] args, PrintStream out, PrintStream err) {
        Path file = null;
        char mode = 'r';
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c" -> {
                    if (i + 1 == args.length) {
                        return usage(err, "-c needs a file");
                    }
                    file = Path.of(args[++i]).toAbsolutePath();
                }
                case "-t" -> mode = 't';
                case "-T" -> mode = 'T';
                case "-h", "-?", "--help" -> {
                    usage(out, null);
                    return new Outcome(0, null);
                }
                default -> {
                    return usage(err, "unknown option " + args[i]);
                }
            }
        }
        if (file == null) {
            return usage(err, "no configuration file: give -c FILE");
        }
        ConfigFile source = new ConfigFile(file);
        Engine engine;
        try {
            engine = Engine.builder().config(source.read()).reloadOnSighup(mode == 'r').build();
        } catch (ConfigException | EngineException | IllegalArgumentException e) {
            err.println("engine: [emerg] " + source.describe(e));
            err.println("engine: configuration file " + file + " test failed");
            return new Outcome(1, null);
        }
        if (mode == 'r') {
            engine.configSource(source);
            engine.start();
            out.println("engine: serving " + file + " on port(s) " + engine.ports());
            return new Outcome(0, engine);
        }
        out.println("engine: the configuration file " + file + " syntax is ok");
        out.println("engine: configuration file " + file + " test is successful");
        if (mode == 'T') {
            dump(engine, file, out);
        }
        return new Outcome(0, null);
    }

    /** {@code -T}: every server and location with its merged configuration, one record a line. */
    private static void dump(Engine engine, Path file, PrintStream out) {
        out.println("# configuration file " + file + ":");
        for (ServerConfig server : engine.config().servers()) {
            out.println("server " + server.path() + " listen " + server.listens().stream().map(Listen::address).toList()
                    + " server-names " + server.names());
            print(ConfigDump.records(server.scope(), engine.configSpecs()), "  ", out);
            for (Location top : server.scope().children()) {
                top.forEach(l -> {
                    out.println("  location " + l.pattern() + " (" + l.path() + ")");
                    print(ConfigDump.records(l, engine.configSpecs()), "    ", out);
                });
            }
        }
    }

    private static void print(Map<String, Object> records, String indent, PrintStream out) {
        records.forEach((key, fields) -> out.println(indent + key + " " + fields));
    }

    private static Outcome usage(PrintStream to, String problem) {
        if (problem != null) {
            to.println("engine: " + problem);
        }
        to.println("usage: java -jar engine-core-standalone.jar [-t | -T] -c FILE");
        to.println("  -c FILE  the configuration (YAML: the engine's keys, or an application.yml's engine: block)");
        to.println("  -t       test the configuration and exit");
        to.println("  -T       test it, then print every server's and location's merged configuration");
        return new Outcome(problem == null ? 0 : 2, null);
    }
}
