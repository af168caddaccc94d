package dev.modhttp.boot.slice;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The rest of the application, found by component scanning: not in a slice. */
@Configuration(proxyBeanMethods = false)
public class Elsewhere {

    @Bean
    String somethingHeavy() {
        return "started";
    }
}
