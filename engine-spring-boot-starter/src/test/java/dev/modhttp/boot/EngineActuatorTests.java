package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.modules.proxy.PeerView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The engine's actuator endpoints and health indicator. */
class EngineActuatorTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EngineAutoConfiguration.class,
                    EngineActuatorAutoConfiguration.class))
            .withPropertyValues("engine.servers[0].listen[0]=127.0.0.1:0",
                    "engine.servers[0].server-names[0]=api.test",
                    "engine.servers[0].client-max-body-size=2m",
                    "engine.servers[0].locations[0].location=/",
                    "engine.servers[0].locations[1].location=^~ /static/",
                    "engine.servers[0].locations[2].location=~ \\.php$",
                    "engine.servers[0].locations[2].return=403");

    @Test
    void theEngineEndpointShowsPipelinesAndMergedConfigPerLocation() {
        runner.run(context -> {
            Map<String, Object> dump = context.getBean(EngineEndpoint.class).engine();
            assertThat(dump).containsEntry("running", true);
            @SuppressWarnings("unchecked")
            Map<String, Object> server = ((List<Map<String, Object>>) dump.get("servers")).get(0);
            assertThat(server).containsEntry("serverNames", List.of("api.test"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> locations = (List<Map<String, Object>>) server.get("locations");
            Map<String, Object> php = locations.get(2);
            assertThat(php).containsEntry("location", "~ \\.php$");
            assertThat((List<?>) php.get("pipeline")).anyMatch(s -> s.toString().startsWith("REWRITE return"));
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> config = (Map<String, Map<String, Object>>) php.get("config");
            assertThat(config.get("return")).containsEntry("status", 403);
            assertThat(config.get("CoreConfig")).containsEntry("clientMaxBodySize", "2097152B");
        });
    }

    @Test
    void theEngineEndpointShowsEachUpstreamPeer() {
        runner.withPropertyValues("engine.upstreams[0].name=app", "engine.upstreams[0].servers[0]=127.0.0.1:9 weight=3",
                "engine.upstreams[0].servers[1]=127.0.0.1:10 backup",
                "engine.servers[0].locations[3].location=/app/", "engine.servers[0].locations[3].proxy-pass=http://app")
                .run(context -> {
                    Object upstreams = context.getBean(EngineEndpoint.class).engine().get("upstreams");
                    assertThat(upstreams).asList().hasSize(2);
                    PeerView first = (PeerView) ((List<?>) upstreams).get(0);
                    assertThat(first.upstream()).isEqualTo("app");
                    assertThat(first.address()).isEqualTo("127.0.0.1:9");
                    assertThat(first.weight()).isEqualTo(3);
                    assertThat(((PeerView) ((List<?>) upstreams).get(1)).backup()).isTrue();
                });
    }

    @Test
    void theLocationEndpointSaysWhichLocationAnswersAndWhy() {
        runner.run(context -> {
            Map<String, Object> answer = context.getBean(EngineLocationEndpoint.class).select("/static/x.php", "api.test");
            assertThat(answer).containsEntry("location", "^~ /static/").containsEntry("server", "servers[0]");
            assertThat((List<?>) answer.get("why")).anyMatch(s -> s.toString().contains("regexes of this level are skipped"));
            Map<String, Object> php = context.getBean(EngineLocationEndpoint.class).select("/app/x.php", null);
            assertThat(php).containsEntry("location", "~ \\.php$");
        });
        runner.withPropertyValues("engine.servers[1].listen[0]=127.0.0.1:0", "engine.servers[1].server-names[0]=*.api.test",
                "engine.servers[1].locations[0].location=/wild").run(context -> {
            // the same address, chosen by the engine's own rules: the leading wildcard
            Engine engine = context.getBean(Engine.class);
            assertThat(engine.selectServer("x.api.test").path()).isEqualTo("servers[1]");
            assertThat(engine.selectServer("API.test").path()).isEqualTo("servers[0]");
            assertThat(engine.selectServer("unknown").path()).isEqualTo("servers[0]");
        });
    }

    @Test
    void theEndpointsAreServedThroughTheEngineWhereALocationEnablesThem() {
        runner.withPropertyValues("engine.servers[0].locations[3].location=/manage/",
                "engine.servers[0].locations[3].actuator=on",
                "management.endpoints.web.exposure.include=engine,enginelocation").run(context -> {
            int port = context.getBean(Engine.class).ports().get(0);
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
                try {
                    return client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            var engine = get.apply("/manage/engine");
            assertThat(engine.statusCode()).isEqualTo(200);
            assertThat(engine.headers().firstValue("Content-Type")).hasValue("application/vnd.spring-boot.actuator.v3+json");
            assertThat(engine.body()).startsWith("{\"running\":true").contains("\"location\":\"^~ /static/\"");
            var where = get.apply("/manage/enginelocation?uri=%2Fstatic%2Fa.php&host=api.test");
            assertThat(where.body()).contains("\"location\":\"^~ /static/\"").contains("regexes of this level are skipped");
            assertThat(get.apply("/manage/health").statusCode()).as("no HealthEndpoint in this context").isEqualTo(404);
            assertThat(get.apply("/manage/nothing").statusCode()).isEqualTo(404);
            assertThat(get.apply("/engine").statusCode()).as("only where a location enables them").isEqualTo(404);
        });
    }

    @Test
    void healthIsUpWhileServingAndDownWhenStopped() {
        runner.run(context -> {
            EngineHealthIndicator indicator = context.getBean(EngineHealthIndicator.class);
            Health up = indicator.health(true);
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(up.getDetails()).containsKeys("ports", "active", "requests");
            context.getBean(Engine.class).stop(Duration.ZERO);
            assertThat(indicator.health(true).getStatus()).isEqualTo(Status.DOWN);
        });
    }
}
