package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.boot.test.http.server.LocalTestWebServer;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * Boot's test clients ({@code RestTestClient}, {@code TestRestTemplate}, {@code WebTestClient})
 * find the engine by themselves in a {@code @SpringBootTest} with a random
 * port, as they find Boot's own servers, and a parent context sees {@code local.server.port}.
 */
@SpringBootTest(classes = EngineTestClientTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"engine.servers[0].locations[0].location=/", "engine.servers[0].locations[0].return=200 from the engine"})
@AutoConfigureRestTestClient
@AutoConfigureTestRestTemplate
@AutoConfigureWebTestClient
@Timeout(60)
class EngineTestClientTests {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
    }

    @Configuration(proxyBeanMethods = false)
    static class Parent {
    }

    @Autowired
    RestTestClient client;

    @Autowired
    TestRestTemplate template;

    @Autowired
    WebTestClient webClient;

    @Autowired
    ApplicationContext context;

    @LocalServerPort
    int port;

    @Test
    void restTestClientSendsToTheEnginesPort() {
        client.get().uri("/anything").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("from the engine");
        assertThat(LocalTestWebServer.obtain(context).uri()).isEqualTo("http://localhost:" + port);
    }

    @Test
    void webTestClientSendsToTheEnginesPort() {
        webClient.get().uri("/reactive").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("from the engine");
    }

    @Test
    void testRestTemplateSendsToTheEnginesPort() {
        assertThat(template.getForObject("/else", String.class)).isEqualTo("from the engine");
    }

    @Test
    void aParentContextSeesTheEnginesPort() {
        try (ConfigurableApplicationContext child = new SpringApplicationBuilder(Parent.class).web(WebApplicationType.NONE)
                .child(App.class).web(WebApplicationType.NONE)
                .run("--server.port=0", "--engine.servers[0].locations[0].location=/")) {
            String port = child.getEnvironment().getProperty("local.server.port");
            assertThat(port).isNotNull().isNotEqualTo("0");
            assertThat(child.getParent().getEnvironment().getProperty("local.server.port")).isEqualTo(port);
        }
    }
}
