package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator's web endpoints served by the engine in an application with Actuator and no other web
 * server: Boot's exposure rules, base path, management port, health groups, metrics and
 * Prometheus, over real sockets.
 */
@Timeout(60)
class ActuatorOverEngineTests {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
    }

    static ConfigurableApplicationContext start(String... properties) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--engine.servers[0].locations[0].location=/",
                "--engine.servers[0].locations[0].return=200 app"));
        for (String p : properties) {
            args.add("--" + p);
        }
        return app.run(args.toArray(String[]::new));
    }

    static int port(ConfigurableApplicationContext context, String property) {
        return context.getEnvironment().getProperty(property, Integer.class);
    }

    static HttpResponse<String> send(int port, String method, String path, String accept) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            r.header("Accept", accept);
        }
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The response to a GET of {@code target} sent as it is (a client library would refuse a malformed escape). */
    static String raw(int port, String target) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return send(port, "GET", path, null);
    }

    @Test
    void byDefaultHealthIsServedAtActuatorOnServerPortAndNothingElse() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            int port = port(context, "local.server.port");
            HttpResponse<String> health = get(port, "/actuator/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.headers().firstValue("Content-Type")).hasValue("application/vnd.spring-boot.actuator.v3+json");
            assertThat(health.body()).as("no components or details: Boot's show-details=never").startsWith("{")
                    .contains("\"status\":\"UP\"").doesNotContain("components", "diskSpace");
            assertThat(send(port, "GET", "/actuator/health", "application/json").headers().firstValue("Content-Type"))
                    .hasValue("application/json");
            assertThat(get(port, "/actuator").body()).contains("\"self\":{\"href\":\"http://127.0.0.1:" + port + "/actuator\"")
                    .contains("\"health\":{").doesNotContain("\"engine\"");
            assertThat(get(port, "/actuator/engine").statusCode()).as("not exposed").isEqualTo(404);
            assertThat(send(port, "POST", "/actuator/health", null).statusCode()).isEqualTo(405);
            assertThat(get(port, "/other").body()).as("the configuration's own locations answer the rest").isEqualTo("app");
        }
    }

    @Test
    void exposedEndpointsHealthGroupsMetricsAndPrometheus() throws Exception {
        try (ConfigurableApplicationContext context = start(
                "management.endpoints.web.exposure.include=health,info,metrics,prometheus,engine,enginelocation",
                "management.endpoint.health.probes.enabled=true")) {
            int port = port(context, "local.server.port");
            get(port, "/hello");
            HttpResponse<String> liveness = get(port, "/actuator/health/liveness");
            assertThat(liveness.statusCode()).isEqualTo(200);
            assertThat(liveness.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(port, "/actuator/health/nosuchgroup").statusCode()).isEqualTo(404);
            HttpResponse<String> timer = get(port, "/actuator/metrics/http.server.requests?tag=location:/");
            assertThat(timer.statusCode()).isEqualTo(200);
            assertThat(timer.body()).contains("\"name\":\"http.server.requests\"").contains("\"statistic\":\"COUNT\"");
            assertThat(get(port, "/actuator/metrics/no.such.meter").statusCode()).isEqualTo(404);
            HttpResponse<String> prometheus = get(port, "/actuator/prometheus");
            assertThat(prometheus.statusCode()).isEqualTo(200);
            assertThat(prometheus.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
            assertThat(prometheus.body()).containsPattern("http_server_requests_seconds_count\\{.*location=\"/\".*} \\d");
            HttpResponse<String> openMetrics = send(port, "GET", "/actuator/prometheus",
                    "application/openmetrics-text;version=1.0.0");
            assertThat(openMetrics.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/openmetrics-text");
            assertThat(get(port, "/actuator/enginelocation?uri=/x").body()).contains("\"location\":\"/\"");
            HttpResponse<String> missing = get(port, "/actuator/enginelocation");
            assertThat(missing.statusCode()).as("a missing argument").isEqualTo(400);
            assertThat(missing.body()).as("Boot's error attributes, without the reason by default")
                    .contains("\"status\":400,\"error\":\"Bad Request\"");
            assertThat(get(port, "/actuator/enginelocation?uri=/../x").statusCode()).as("a target the engine refuses")
                    .isEqualTo(400);
            assertThat(get(port, "/actuator/info").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void clientMistakesGetBootsStatusesNever500() throws Exception {
        try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=*",
                "management.endpoints.web.discovery.enabled=false")) {
            int port = port(context, "local.server.port");
            assertThat(raw(port, "/actuator/health?%zz")).as("a malformed escape").startsWith("HTTP/1.1 400");
            assertThat(raw(port, "/actuator/prometheus?includedNames=%")).startsWith("HTTP/1.1 400");
            assertThat(send(port, "GET", "/actuator/health", "foo").statusCode()).as("a malformed Accept").isEqualTo(406);
            assertThat(send(port, "GET", "/actuator/prometheus", "application/json").statusCode())
                    .as("nothing it produces is accepted").isEqualTo(406);
            assertThat(send(port, "GET", "/actuator/health", "application/json;q=0").statusCode()).isEqualTo(406);
            assertThat(send(port, "GET", "/actuator/info", "application/vnd.spring-boot.actuator.v2+json;q=0.1, application/json")
                    .headers().firstValue("Content-Type")).as("the higher q").hasValue("application/json");
            HttpResponse<String> options = send(port, "OPTIONS", "/actuator/loggers/x", null);
            assertThat(options.statusCode()).isEqualTo(200);
            assertThat(options.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
            HttpResponse<String> delete = send(port, "DELETE", "/actuator/loggers/x", null);
            assertThat(delete.statusCode()).isEqualTo(405);
            assertThat(delete.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
            HttpResponse<String> text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/loggers/x")).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"configuredLevel\":\"INFO\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(text.statusCode()).as("Boot's servers take JSON bodies only").isEqualTo(415);
            HttpResponse<String> json = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/loggers/x")).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"configuredLevel\":\"DEBUG\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(json.statusCode()).isEqualTo(204);
            assertThat(get(port, "/actuator/loggers/x").body()).contains("\"configuredLevel\":\"DEBUG\"");
            assertThat(get(port, "/actuator").statusCode()).as("discovery off: no links").isEqualTo(404);
        }
    }

    @Test
    void errorsAreBootsJsonAttributesAndABrowserGetsAPage() throws Exception {
        try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=*")) {
            int port = port(context, "local.server.port");
            HttpResponse<String> missing = get(port, "/actuator/nothing");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(missing.body()).matches("\\{\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}"
                    + "[+-]\\d\\d:\\d\\d\",\"status\":404,\"error\":\"Not Found\",\"path\":\"/actuator/nothing\"}");
            HttpResponse<String> delete = send(port, "DELETE", "/actuator/loggers/x", null);
            assertThat(delete.body()).contains("\"status\":405,\"error\":\"Method Not Allowed\"");
            assertThat(raw(port, "/actuator/health?%zz")).contains("\"status\":400,\"error\":\"Bad Request\"")
                    .as("no message unless server.error.include-message=always").doesNotContain("\"message\"");
            HttpResponse<String> browser = send(port, "GET", "/actuator/nothing", "text/html,application/xhtml+xml,*/*;q=0.8");
            assertThat(browser.statusCode()).isEqualTo(404);
            assertThat(browser.body()).contains("<title>404 Not Found</title>");
            assertThat(send(port, "GET", "/actuator/prometheus", "application/json").body())
                    .as("a 406 has no body, as Boot's").isEmpty();
        }
        try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=*",
                "server.error.include-message=always")) {
            assertThat(raw(port(context, "local.server.port"), "/actuator/health?%zz"))
                    .contains("\"message\":\"malformed query string: ");
        }
    }

    static HttpResponse<String> cors(int port, String method, String path, String... fields) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < fields.length; i += 2) {
            r.header(fields[i], fields[i + 1]);
        }
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void corsPropertiesDecideCrossOriginRequestsAsBootsServersDo() throws Exception {
        try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=*",
                "management.endpoints.web.cors.allowed-origins=https://console.example.com",
                "management.endpoints.web.cors.allowed-methods=GET,POST",
                "management.endpoints.web.cors.allowed-headers=Authorization,Content-Type",
                "management.endpoints.web.cors.exposed-headers=X-Trace",
                "management.endpoints.web.cors.allow-credentials=true",
                "management.endpoints.web.cors.max-age=10m")) {
            int port = port(context, "local.server.port");
            HttpResponse<String> preflight = cors(port, "OPTIONS", "/actuator/loggers/x", "Origin",
                    "https://console.example.com", "Access-Control-Request-Method", "POST",
                    "Access-Control-Request-Headers", "content-type");
            assertThat(preflight.statusCode()).isEqualTo(200);
            assertThat(preflight.headers().map()).containsEntry("access-control-allow-origin",
                    List.of("https://console.example.com")).containsEntry("access-control-allow-methods", List.of("GET,POST"))
                    .containsEntry("access-control-allow-headers", List.of("content-type"))
                    .containsEntry("access-control-allow-credentials", List.of("true"))
                    .containsEntry("access-control-max-age", List.of("600"));
            assertThat(preflight.headers().firstValue("Vary")).hasValue(
                    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");

            HttpResponse<String> allowed = cors(port, "GET", "/actuator/health", "Origin", "https://console.example.com");
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).contains("\"status\":\"UP\"");
            assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
            assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Trace");

            HttpResponse<String> otherOrigin = cors(port, "GET", "/actuator/health", "Origin", "https://evil.example.com");
            assertThat(otherOrigin.statusCode()).isEqualTo(403);
            assertThat(otherOrigin.body()).isEqualTo("Invalid CORS request");
            assertThat(otherOrigin.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(cors(port, "OPTIONS", "/actuator/loggers/x", "Origin", "https://console.example.com",
                    "Access-Control-Request-Method", "DELETE").statusCode()).as("a method not allowed").isEqualTo(403);
            assertThat(cors(port, "OPTIONS", "/actuator/loggers/x", "Origin", "https://console.example.com",
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "X-Other").statusCode())
                    .as("a field not allowed").isEqualTo(403);
            assertThat(cors(port, "GET", "/actuator/health", "Origin", "http://127.0.0.1:" + port).statusCode())
                    .as("the same origin is not cross-origin").isEqualTo(200);
            assertThat(get(port, "/actuator/health").statusCode()).as("no Origin").isEqualTo(200);
        }
        try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=health")) {
            HttpResponse<String> none = cors(port(context, "local.server.port"), "GET", "/actuator/health",
                    "Origin", "https://console.example.com");
            assertThat(none.statusCode()).as("no allowed origin: no CORS, as in Boot").isEqualTo(200);
            assertThat(none.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void theLinksOfARequestWithoutHostNameTheAddressItCameTo() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            int port = port(context, "local.server.port");
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.getOutputStream().write("GET /actuator HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 200").contains("\"href\":\"http://127.0.0.1:" + port + "/actuator\"")
                        .doesNotContain("null");
            }
        }
    }

    @Test
    void healthGroupsAnswerAtTheirAdditionalPathsInTheirNamespace() throws Exception {
        try (ConfigurableApplicationContext context = start("management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.probes.add-additional-paths=true",
                "management.endpoint.health.group.custom.include=ping",
                "management.endpoint.health.group.custom.additional-path=server:/customhealth",
                "management.endpoint.health.group.ops.include=ping",
                "management.endpoint.health.group.ops.additional-path=management:/opshealth",
                "management.server.port=0")) {
            int server = port(context, "local.server.port");
            int management = port(context, "local.management.port");
            HttpResponse<String> livez = get(server, "/livez");
            assertThat(livez.statusCode()).isEqualTo(200);
            assertThat(livez.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(server, "/readyz").body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(server, "/customhealth").body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(server, "/opshealth").body()).as("a management path, not on server.port").isEqualTo("app");
            assertThat(get(management, "/opshealth").body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(management, "/livez").statusCode()).as("a server path, not on the management port").isEqualTo(404);
        }
    }

    @Test
    void managementServerPortIsAServerOfItsOwn() throws Exception {
        try (ConfigurableApplicationContext context = start("management.server.port=0",
                "management.endpoints.web.base-path=/manage")) {
            int server = port(context, "local.server.port");
            int management = port(context, "local.management.port");
            assertThat(management).isNotEqualTo(server);
            assertThat(get(management, "/manage/health").body()).contains("\"status\":\"UP\"");
            assertThat(get(server, "/manage/health").body()).as("not on server.port").isEqualTo("app");
            assertThat(get(management, "/other").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aLocationOfTheConfigurationWithActuatorDecidesWhereTheyAre() throws Exception {
        try (ConfigurableApplicationContext context = start("engine.servers[0].locations[1].location=/ops/",
                "engine.servers[0].locations[1].actuator=on", "engine.servers[0].locations[1].access[0]=allow 127.0.0.1",
                "management.endpoints.web.exposure.include=*", "management.endpoints.web.exposure.exclude=env")) {
            int port = port(context, "local.server.port");
            assertThat(get(port, "/ops/health").body()).contains("\"status\":\"UP\"");
            assertThat(get(port, "/ops/beans").statusCode()).isEqualTo(200);
            assertThat(get(port, "/ops/env").statusCode()).as("excluded").isEqualTo(404);
            assertThat(get(port, "/actuator/health").body()).as("no location added").isEqualTo("app");
        }
    }

    @Test
    void managementServerPortMinusOneServesNoEndpoints() throws Exception {
        try (ConfigurableApplicationContext context = start("management.server.port=-1")) {
            assertThat(get(port(context, "local.server.port"), "/actuator/health").body()).isEqualTo("app");
        }
    }
}
