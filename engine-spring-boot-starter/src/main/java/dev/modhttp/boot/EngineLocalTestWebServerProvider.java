package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.http.server.LocalTestWebServer;
import org.springframework.boot.web.server.Ssl;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Tells Spring Boot's test support where the engine listens, as Boot's own servers tell it: in a
 * {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} (or {@code DEFINED_PORT}),
 * {@code RestTestClient}, {@code WebTestClient} and {@code TestRestTemplate} send to the engine's
 * {@code server.port} ({@code local.server.port}) by themselves, over https when
 * {@code server.ssl.*} turns TLS on there. Registered in {@code META-INF/spring.factories};
 * only spring-boot-test loads it. Null (not this provider's context) without an engine.
 */
final class EngineLocalTestWebServerProvider implements LocalTestWebServer.Provider {

    private final ApplicationContext context;

    EngineLocalTestWebServerProvider(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public LocalTestWebServer getLocalTestWebServer() {
        if (context.getBeanNamesForType(Engine.class, false, false).length == 0) {
            return null;
        }
        Environment environment = context.getEnvironment();
        Ssl ssl = Binder.get(environment).bind("server.ssl", Ssl.class).orElse(null);
        LocalTestWebServer.Scheme scheme = Ssl.isEnabled(ssl) ? LocalTestWebServer.Scheme.HTTPS : LocalTestWebServer.Scheme.HTTP;
        return LocalTestWebServer.of(scheme, () -> new LocalTestWebServer.BaseUriDetails(
                environment.getRequiredProperty("local.server.port", Integer.class), ""));
    }
}
