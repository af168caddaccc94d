package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

/** How application.yml, profiles, the command line and the environment make one config tree. */
class EngineConfigTreeTests {

    static final String YAML = """
            engine:
              index: [index.html, index.htm]
              servers:
                - listen: ["8081"]
                  locations:
                    - location: /
                      try-files: [$uri, /fallback]
                    - location: /api/
                      client-max-body-size: 1m
                - listen: ["8082"]
              greeting: ${who:world}
            """;

    static StandardEnvironment environment(Map<String, Object> overrides, Map<String, Object> env) throws Exception {
        StandardEnvironment environment = new StandardEnvironment();
        new YamlPropertySourceLoader().load("application.yml", new ByteArrayResource(YAML.getBytes()))
                .forEach(environment.getPropertySources()::addLast);
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
        environment.getPropertySources().addFirst(new MapPropertySource("commandLineArgs", overrides));
        ConfigurationPropertySources.attach(environment);
        return environment;
    }

    @Test
    @SuppressWarnings("unchecked")
    void yamlListsAreListsAtEveryDepth() throws Exception {
        Map<String, Object> tree = EngineConfigTree.read(environment(Map.of(), Map.of()));
        List<Object> servers = (List<Object>) tree.get("servers");
        assertThat(servers).hasSize(2);
        Map<String, Object> root = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) servers.get(0))
                .get("locations")).get(0);
        assertThat(root.get("try-files")).isEqualTo(List.of("$uri", "/fallback"));
        assertThat(tree.get("greeting")).isEqualTo("world");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCommandLineAndTheEnvironmentReachOneLocationOfTheYamls() throws Exception {
        Map<String, Object> tree = EngineConfigTree.read(environment(
                Map.of("engine.servers[0].locations[1].return", "200 x", "engine.index[0]", "only.html", "who", "you"),
                Map.of("ENGINE_SERVERS_0_LOCATIONS_1_CLIENTMAXBODYSIZE", "2m")));
        List<Object> servers = (List<Object>) tree.get("servers");
        assertThat(servers).as("the second server stays").hasSize(2);
        List<Object> locations = (List<Object>) ((Map<String, Object>) servers.get(0)).get("locations");
        assertThat(locations).hasSize(2);
        Map<String, Object> api = (Map<String, Object>) locations.get(1);
        assertThat(api).containsEntry("location", "/api/").containsEntry("return", "200 x")
                .containsEntry("client-max-body-size", "2m").doesNotContainKey("clientmaxbodysize");
        assertThat(((Map<String, Object>) locations.get(0)).get("try-files")).isEqualTo(List.of("$uri", "/fallback"));
        assertThat(tree.get("index")).as("other lists are replaced whole").isEqualTo(List.of("only.html"));
        assertThat(tree.get("greeting")).isEqualTo("you");
    }

    @Test
    void aListWithAHoleNamesTheMissingElement() {
        assertThatThrownBy(() -> EngineConfigTree.read(environment(Map.of("engine.servers[3].listen[0]", "9"),
                Map.of()))).isInstanceOf(EngineConfigurationException.class)
                .hasMessageContaining("engine.servers[2]");
    }
}
