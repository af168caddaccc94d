package dev.modhttp.boot;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.boot.resttestclient.autoconfigure.RestTestClientBuilderCustomizer;
import org.springframework.boot.test.http.server.LocalTestWebServer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * {@code @AutoConfigureRestTestClient} for an application whose web server is the engine. Boot's
 * own configuration binds a {@code RestTestClient} to a servlet application context, which such an
 * application does not have; this one binds it to the engine's port through
 * {@link LocalTestWebServer} ({@link EngineLocalTestWebServerProvider}), with the application's
 * {@code RestTestClientBuilderCustomizer}s. Imported by {@code @AutoConfigureRestTestClient}.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.resttestclient.autoconfigure.RestTestClientTestAutoConfiguration")
@ConditionalOnClass({RestTestClient.class, LocalTestWebServer.class, RestTestClientBuilderCustomizer.class})
@ConditionalOnNotWebApplication
public final class EngineRestTestClientAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RestTestClient restTestClient(ApplicationContext context, ObjectProvider<RestTestClientBuilderCustomizer> customizers) {
        RestTestClient.Builder<?> builder = RestTestClient.bindToServer();
        LocalTestWebServer server = LocalTestWebServer.get(context);
        if (server != null) {
            builder.uriBuilderFactory(server.uriBuilderFactory());
        }
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }
}
