package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.modhttp.boot.readme.Readme;
import dev.modhttp.engine.Engine;
import dev.modhttp.engine.config.ConfigReference;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.config.Scopes;
import dev.modhttp.engine.config.Size;
import dev.modhttp.engine.modules.actuator.ActuatorModule;
import dev.modhttp.engine.modules.websocket.WebSocketModule;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The JSON Schema of the {@code engine:} tree that the starter ships
 * ({@code META-INF/engine-config.schema.json}), for IDEs' YAML support to complete and check
 * {@code engine.servers[].locations[]…}, which Boot's metadata cannot describe inside lists. It
 * is generated here from the modules' config records (every key at every scope that takes it,
 * the Java type's form: on/off, durations, sizes, enum values, lists, blocks), with each key's
 * meaning and default from its {@link KeyDoc}; the test fails when the shipped file is
 * stale. {@code -Dengine.schema.write=true} writes it. The demo's configuration and every
 * configuration in the README validate against it.
 */
class EngineConfigSchemaTests {

    static final Path SHIPPED = Readme.root()
            .resolve("engine-spring-boot-starter/src/main/resources/META-INF/engine-config.schema.json");

    @Test
    void theShippedSchemaIsTheOneTheConfigRecordsGive() throws IOException {
        String generated = generate();
        if (Boolean.getBoolean("engine.schema.write")) {
            Files.writeString(SHIPPED, generated);
        }
        assertThat(Files.readString(SHIPPED)).as("%s is stale: run this test with -Dengine.schema.write=true", SHIPPED)
                .isEqualTo(generated);
        try (InputStream in = getClass().getResourceAsStream("/META-INF/engine-config.schema.json")) {
            assertThat(in).as("in the starter's jar").isNotNull();
        }
    }

    @Test
    void theDemosAndTheReadmesConfigurationsAreValid() throws IOException {
        Schema schema = schema();
        SoftAssertions each = new SoftAssertions();
        String demo = Files.readString(Readme.root().resolve("demo-app/src/main/resources/application.yml"));
        each.assertThat(errors(schema, demo)).as("demo-app application.yml").isEmpty();
        int checked = 1;
        for (Readme.Block block : Readme.blocks()) {
            if (!block.language().equals("yaml") || !block.text().contains("engine:")) {
                continue;
            }
            if (block.marked("startup fails") == null) { // some of those are for the engine to find (a PCRE-only regex)
                each.assertThat(errors(schema, block.text())).as(block.toString()).isEmpty();
                checked++;
            }
        }
        each.assertAll();
        assertThat(checked).as("configurations checked").isGreaterThanOrEqualTo(8);
    }

    @Test
    void aKeyAtTheWrongScopeAndABadValueAreErrorsAndTheApplicationsOwnKeysAreNot() throws IOException {
        Schema schema = schema();
        assertThat(errors(schema, """
                engine:
                  keepalive-timeout: 30s
                  servers:
                    - listen: ["8080"]
                      locations:
                        - location: /
                          gzip: on
                          client-max-body-size: 1m
                          locations:
                            - location: /a/
                              return: "200 ok"
                """)).isEmpty();
        assertThat(errors(schema, "engine:\n  servers:\n    - locations:\n        - location: /\n          listen: [\"80\"]\n"))
                .as("listen at location scope").isNotEmpty();
        assertThat(errors(schema, "engine:\n  servers:\n    - worker-connections: 10\n")).as("a main-scope key in a server")
                .isNotEmpty();
        assertThat(errors(schema, "engine:\n  servers:\n    - locations:\n        - location: /\n          greeting: {text: hi}\n"))
                .as("the application's own modules' keys").isEmpty();
        assertThat(errors(schema, "engine:\n  keepalive-timeout: soon\n")).as("not a duration").isNotEmpty();
        assertThat(errors(schema, "engine:\n  client-max-body-size: 1q\n")).as("not a size").isNotEmpty();
        assertThat(errors(schema, "engine:\n  gzip: maybe\n")).as("not on or off").isNotEmpty();
        assertThat(errors(schema, "spring:\n  application:\n    name: x\n")).as("not the engine's").isEmpty();
    }

    static Schema schema() throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(Files.readString(SHIPPED), InputFormat.JSON);
    }

    static List<String> errors(Schema schema, String yaml) {
        JsonNode node = YAMLMapper.builder().build().readTree(yaml);
        return schema.validate(node).stream().map(Error::toString).toList();
    }

    // ---- the generator ------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static String generate() {
        List<ConfigSpec<?>> specs = Engine.builder().module(new ActuatorModule(Map.of()))
                .module(new WebSocketModule(Map.of())).build().configSpecs();
        Map<String, String> meanings = meanings(specs);
        Map<Scope, Map<String, Object>> keys = new LinkedHashMap<>();
        for (Scope s : Scope.values()) {
            keys.put(s, new TreeMap<>());
        }
        for (ConfigSpec<?> spec : specs) {
            if (!spec.isFlat()) {
                Map<String, Object> v = parseable(spec.type()) != null ? anyOf(SCALAR, record(spec.type())) : record(spec.type());
                for (Scope s : spec.scopes()) {
                    keys.get(s).put(spec.key(), described(v, meanings.get(spec.key())));
                }
                continue;
            }
            for (RecordComponent c : spec.type().getRecordComponents()) {
                Scopes only = c.getAnnotation(Scopes.class);
                Set<Scope> scopes = only == null ? spec.scopes() : EnumSet.copyOf(Arrays.asList(only.value()));
                String key = kebab(c.getName());
                for (Scope s : scopes) {
                    keys.get(s).put(key, described(value(c.getGenericType()), meanings.get(key)));
                }
            }
        }
        Map<String, Object> main = new LinkedHashMap<>(keys.get(Scope.MAIN));
        main.put("enabled", described(value(Boolean.class), "the starter's: false leaves the engine out (default true)"));
        main.put("reload", described(object(map("sighup", value(Boolean.class), "watch", value(Boolean.class))),
                "the starter's: reload on SIGHUP, or when a config file changes (default off)"));
        main.put("shutdown", described(object(map("quiet-period", value(Duration.class))),
                "the starter's: serving on after readiness is refused, before the graceful stop (default 0)"));
        main.put("servers", described(map("type", "array", "items", map("$ref", "#/definitions/server")),
                "the servers, nginx's server blocks; without any, one on server.port"));
        Map<String, Object> server = new LinkedHashMap<>(keys.get(Scope.SERVER));
        server.put("listen", described(value(listOf(String.class)), "addresses: \"8080\", \"127.0.0.1:8443 ssl\", "
                + "\"[::]:80\"; none: server.port"));
        server.put("server-names", described(value(listOf(String.class)), "names matched against Host, as nginx's server_name"));
        server.put("locations", described(map("type", "array", "items", map("$ref", "#/definitions/location")),
                "nginx's location blocks"));
        Map<String, Object> location = new LinkedHashMap<>(keys.get(Scope.LOCATION));
        location.put("location", described(map("type", "string"),
                "the pattern: /prefix, = /exact, ^~ /prefix, ~ regex, ~* caseless regex, @named"));
        location.put("locations", described(map("type", "array", "items", map("$ref", "#/definitions/location")),
                "nested locations"));
        Map<String, Object> definitions = new LinkedHashMap<>();
        definitions.put("main", open(main, List.of(server, location)));
        definitions.put("server", open(server, List.of(main, location)));
        definitions.put("location", open(location, List.of(main, server)));
        ((Map<String, Object>) definitions.get("location")).put("required", List.of("location"));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("$schema", "http://json-schema.org/draft-07/schema#");
        root.put("$id", "https://modhttp.dev/schema/engine-config.schema.json");
        root.put("title", "modhttp engine configuration (the engine: tree of application.yml)");
        root.put("type", "object");
        root.put("properties", map("engine", map("$ref", "#/definitions/main")));
        root.put("definitions", definitions);
        return JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root) + "\n";
    }

    /**
     * A scope's block: its keys with their forms, the keys only other scopes take refused
     * ({@code false}), and any other key allowed: the application's own modules add keys the
     * shipped schema cannot know (the engine refuses a misspelt key at startup, naming the nearest).
     */
    private static Map<String, Object> open(Map<String, Object> keys, List<Map<String, Object>> others) {
        Map<String, Object> properties = new LinkedHashMap<>(keys);
        for (Map<String, Object> other : others) {
            for (String k : other.keySet()) {
                properties.putIfAbsent(k, false);
            }
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", "object");
        o.put("properties", properties);
        return o;
    }

    private static Map<String, Object> closed(Map<String, Object> properties, List<String> required) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", "object");
        o.put("properties", properties);
        if (!required.isEmpty()) {
            o.put("required", required);
        }
        o.put("additionalProperties", false);
        return o;
    }

    private static Map<String, Object> object(Map<String, Object> properties) {
        return closed(new TreeMap<>(properties), List.of());
    }

    private static Map<String, Object> described(Map<String, Object> schema, String description) {
        if (description == null) {
            return schema;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("description", description);
        d.putAll(schema);
        return d;
    }

    private static Map<String, Object> anyOf(Map<String, Object> a, Map<String, Object> b) {
        return map("anyOf", List.of(a, b));
    }

    /** A map in the order given (Map.of's order changes from run to run). */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static Type listOf(Class<?> element) {
        return new ParameterizedType() {
            @Override
            public Type[] getActualTypeArguments() {
                return new Type[] {element};
            }

            @Override
            public Type getRawType() {
                return List.class;
            }

            @Override
            public Type getOwnerType() {
                return null;
            }
        };
    }

    private static final Map<String, Object> SCALAR = map("type", List.of("string", "number", "boolean"));

    /** The forms the engine's binder takes for a value of {@code type} (its ValueConverter). */
    static Map<String, Object> value(Type type) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            if (List.class.isAssignableFrom(raw)) {
                Map<String, Object> item = value(p.getActualTypeArguments()[0]);
                return anyOf(map("type", "array", "items", item), item); // one value stands for a list of one
            }
            return map("type", "object", "additionalProperties", value(p.getActualTypeArguments()[1]));
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class || c == Path.class) {
            return SCALAR; // YAML's 403 or true is text to the binder
        }
        if (c == Integer.class || c == Long.class) {
            return map("type", List.of("integer", "string"), "pattern", "^ *-?[0-9]+ *$");
        }
        if (c == Boolean.class) {
            return anyOf(map("type", "boolean"), map("enum", List.of("on", "off", "true", "false", "yes", "no",
                    "ON", "OFF", "On", "Off")));
        }
        if (c == Duration.class) {
            return map("type", List.of("string", "integer"), "pattern", "^ *[0-9]+ *([mM][sS]|[sSmMhHdD])? *$");
        }
        if (c == Size.class) {
            return map("type", List.of("string", "integer"), "pattern", "^ *(-1|[0-9]+ *[kKmMgG]?[bB]?) *$");
        }
        if (c.isEnum()) {
            List<Object> names = new ArrayList<>();
            boolean onOff = false;
            for (Object constant : c.getEnumConstants()) {
                String name = ((Enum<?>) constant).name();
                names.add(name.toLowerCase(Locale.ROOT).replace('_', '-'));
                onOff |= name.equals("ON") || name.equals("OFF");
            }
            return onOff ? anyOf(map("enum", names), map("type", "boolean")) : map("enum", names);
        }
        if (parseable(c) != null) {
            return SCALAR; // written as text (a parse method checks it)
        }
        if (c.isRecord()) {
            return record(c);
        }
        return map();
    }

    private static Map<String, Object> record(Class<?> type) {
        Map<String, Object> properties = new TreeMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            properties.put(kebab(c.getName()), value(c.getGenericType()));
        }
        return closed(properties, List.of());
    }

    private static Method parseable(Class<?> type) {
        try {
            Method m = type.getMethod("parse", String.class);
            return Modifier.isStatic(m.getModifiers()) && type.isAssignableFrom(m.getReturnType()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** Each key's meaning and default, from its {@link KeyDoc} (the README's reference is made from the same). */
    private static Map<String, String> meanings(List<ConfigSpec<?>> specs) {
        Map<String, String> out = new TreeMap<>();
        for (ConfigReference.Row row : ConfigReference.rows(specs)) {
            for (int i = 0; i < row.keys().size(); i++) {
                out.put(row.keys().get(i), plain(row.meaning()) + " (default: " + plain(row.defaults().get(i)) + "; scopes: "
                        + row.scopeNames() + ")");
            }
        }
        return out;
    }

    private static String plain(String markdown) {
        return markdown.trim().replace("`", "");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
