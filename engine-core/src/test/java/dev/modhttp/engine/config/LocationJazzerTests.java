package dev.modhttp.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modhttp.engine.core.CoreModule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Coverage-guided fuzzing of location selection over random location trees (Jazzer): the
 * location selected for a URI matches it, and so does each location it is nested in; when none
 * is selected, no location of the server's level matches. {@code NginxDifferentialTests} checks
 * which one is chosen against a real nginx; this checks that no tree makes the choice absurd.
 */
public class LocationJazzerTests {

    private static final String[] PREFIXES = {"/", "/a", "/a/", "/a/b", "/b", "/ab", "/a.x", "/x"};
    private static final String[] SUFFIXES = {"", "a", "/", "b/", ".x", "/b"};
    private static final String[] REGEXES = {"^/a", "\\.x$", "b", "^/a/b", "A", "^/$", "/(a|b)/", "x.*y", "^/b/?$"};
    private static final String[] URIS = {"/", "/a", "/a/", "/a/b", "/a/b/c.x", "/ab", "/b", "/b/", "/A/B", "/x",
        "/a.x", "/xy", "/a/x/y", "/c", "/B.X"};

    @FuzzTest(maxDuration = "10s")
    void theSelectedLocationAndItsParentsMatch(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        List<Map<String, Object>> locations = locations(data, 0, null);
        String uri = data.consumeBoolean() ? data.pickValue(URIS) : "/" + data.consumeAsciiString(12);
        ServerConfig server;
        try {
            server = EngineConfig.load(Map.of("servers", List.of(Map.of("listen", List.of("127.0.0.1:0"),
                    "locations", locations))), List.of(CoreModule.CONFIG), "0").servers().get(0);
        } catch (ConfigException e) {
            return; // a tree the engine refuses at startup (duplicates, nesting nginx forbids)
        }
        String bytes = Location.toByteString(uri);
        Location selected = server.select(bytes);
        if (selected == null) {
            for (Location top : server.scope().children()) {
                assertThat(matches(top, bytes)).as("%s matches %s, yet nothing was selected in %s", top.pattern(), uri,
                        locations).isFalse();
            }
            return;
        }
        for (Location l = selected; l.kind() != Location.Kind.SERVER; l = l.parent()) {
            assertThat(matches(l, bytes)).as("%s selected for %s in %s", l.pattern(), uri, locations).isTrue();
        }
    }

    /**
     * Up to six locations, nested two deep, none twice at a level. Below a prefix location, prefixes
     * and exact names extend the parent's, below a regex location only regexes are nested (nginx
     * refuses the others), so that most trees are ones the engine accepts.
     */
    private static List<Map<String, Object>> locations(FuzzedDataProvider data, int depth, String parent) {
        List<Map<String, Object>> list = new ArrayList<>();
        Set<String> patterns = new HashSet<>();
        int count = data.consumeInt(depth == 0 ? 1 : 0, depth == 0 ? 6 : 3);
        for (int i = 0; i < count; i++) {
            String name = parent == null ? data.pickValue(PREFIXES) : parent + data.pickValue(SUFFIXES);
            int kind = depth > 0 && parent == null ? data.consumeInt(2, 3) : data.consumeInt(0, 4); // below a regex: regexes
            String pattern = switch (kind) {
                case 0 -> "= " + name;
                case 1 -> "^~ " + name;
                case 2 -> "~ " + data.pickValue(REGEXES);
                case 3 -> "~* " + data.pickValue(REGEXES);
                default -> name;
            };
            if (!patterns.add(pattern.replace("^~ ", ""))) {
                continue; // a duplicate, which the engine refuses as nginx does
            }
            Map<String, Object> location = new LinkedHashMap<>();
            location.put("location", pattern);
            if (depth < 2 && kind != 0 && data.consumeBoolean()) { // an exact location holds none
                location.put("locations", locations(data, depth + 1, kind == 1 || kind == 4 ? name : null));
            }
            list.add(location);
        }
        return list;
    }

    /** Whether a location's own pattern matches a URI given as a byte string. */
    private static boolean matches(Location l, String bytes) {
        return switch (l.kind()) {
            case EXACT -> l.name().equals(bytes);
            case PREFIX, PREFIX_NOREGEX -> bytes.startsWith(l.name());
            case REGEX, REGEX_CASELESS -> l.regex().matcher(bytes).find();
            case NAMED, SERVER -> false;
        };
    }
}
