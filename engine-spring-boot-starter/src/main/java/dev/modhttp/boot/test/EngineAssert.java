package dev.modhttp.boot.test;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.LocationChoice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on which location of a running engine's configuration answers a request,
 * so that a configuration's routing is tested as its handlers are. A failure prints nginx's
 * search step by step ({@link LocationChoice#why()}).
 *
 * <pre>{@code
 * import static dev.modhttp.boot.test.EngineAssert.assertThat;
 *
 * assertThat(engine).request("GET", "/images/a.gif").selects("~* \\.(gif|jpg)$");
 * assertThat(engine).request("GET", "/api/v1/users").host("api.example.com").selects("^~ /api/");
 * assertThat(engine).selectsAsIn(Path.of("src/test/resources/locations.txt"));
 * }</pre>
 *
 * Needs assertj-core on the class path (spring-boot-starter-test has it).
 */
public final class EngineAssert extends AbstractAssert<EngineAssert, Engine> {

    private EngineAssert(Engine engine) {
        super(engine, EngineAssert.class);
    }

    /** Assertions on {@code engine}'s routing. */
    public static EngineAssert assertThat(Engine engine) {
        return new EngineAssert(engine);
    }

    /**
     * A request of {@code method} for {@code target} (as a client sends it: escapes, dot segments
     * and a query are allowed), with no Host header until {@link RequestAssert#host} gives one.
     * The method does not take part in nginx's location search; it reads as the request would.
     */
    public RequestAssert request(String method, String target) {
        isNotNull();
        return new RequestAssert(actual, Objects.requireNonNull(method, "method"), target, null);
    }

    /**
     * Every row of {@code table} holds: {@code host target -> location}, one per line, with
     * {@code -} for no Host header and {@code (none)} for no location (the server scope answers).
     * Blank lines and lines starting with {@code #} are skipped. All rows are checked; the
     * failure lists each that does not hold, with its search.
     *
     * <pre>
     * # host          target            -> location
     * api.test        /images/a.gif     -> ~* \.(gif|jpg)$
     * -               /static/x.css     -> ^~ /static/
     * -               /nowhere          -> (none)
     * </pre>
     */
    public EngineAssert selectsAsIn(Path table) throws IOException {
        isNotNull();
        List<String> failures = new ArrayList<>();
        List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int arrow = line.indexOf("->");
            String[] request = arrow < 0 ? new String[0] : line.substring(0, arrow).trim().split("\\s+");
            if (request.length != 2) {
                failWithMessage("%s:%d: expected 'host target -> location', got '%s'", table, n + 1, line);
            }
            String expected = line.substring(arrow + 2).trim();
            String host = request[0].equals("-") ? null : request[0];
            LocationChoice choice;
            try {
                choice = LocationChoice.of(actual, host, request[1]);
            } catch (IllegalArgumentException e) {
                failures.add(table + ":" + (n + 1) + ": " + e.getMessage());
                continue;
            }
            String got = choice.location() == null ? "(none)" : choice.location();
            if (!got.equals(expected)) {
                failures.add(table + ":" + (n + 1) + ": " + request[0] + " " + request[1] + " selects " + got
                        + ", not " + expected + "\n    " + String.join("\n    ", choice.why()));
            }
        }
        if (!failures.isEmpty()) {
            failWithMessage("%d row(s) of %s do not hold:%n%s", failures.size(), table, String.join("\n", failures));
        }
        return this;
    }

    /** Assertions on the location one request selects. */
    public static final class RequestAssert extends AbstractAssert<RequestAssert, LocationChoice> {

        private final Engine engine;
        private final String method;
        private final String target;
        private final String host;

        RequestAssert(Engine engine, String method, String target, String host) {
            super(LocationChoice.of(engine, host, target), RequestAssert.class);
            this.engine = engine;
            this.method = method;
            this.target = target;
            this.host = host;
        }

        /** The same request with {@code Host: host}: the server is chosen by it, as the engine chooses. */
        public RequestAssert host(String host) {
            return new RequestAssert(engine, method, target, host);
        }

        /** The request selects the location written {@code pattern} in the configuration ({@code = /hi}, {@code /static/}). */
        public RequestAssert selects(String pattern) {
            if (!Objects.equals(actual.location(), pattern)) {
                failWithMessage("%s %s%s selects %s, not %s%n    %s", method, target, host == null ? "" : " (Host: " + host + ")",
                        actual.location() == null ? "no location" : actual.location(), pattern,
                        String.join("\n    ", actual.why()));
            }
            return this;
        }

        /** No location matches: the server scope's own configuration answers. */
        public RequestAssert selectsNoLocation() {
            if (actual.location() != null) {
                failWithMessage("%s %s selects %s, not no location%n    %s", method, target, actual.location(),
                        String.join("\n    ", actual.why()));
            }
            return this;
        }

        /** The request reaches the server at {@code path} in the configuration ({@code servers[1]}). */
        public RequestAssert onServer(String path) {
            if (!actual.server().equals(path)) {
                failWithMessage("%s %s reaches %s, not %s", method, target, actual.server(), path);
            }
            return this;
        }
    }
}
