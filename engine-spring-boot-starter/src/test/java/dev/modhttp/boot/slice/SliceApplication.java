package dev.modhttp.boot.slice;

import dev.modhttp.boot.PhaseHandler;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;

/** An application as a user writes it: handlers, a service they use, a configuration of other beans. */
@SpringBootApplication
public class SliceApplication {

    /** What the handler answers with; a slice test imports or mocks it. */
    @Service
    public static class Greetings {
        public String greeting() {
            return "hello from the application";
        }
    }

    /** A handler bean with a method: scanned into the slice. */
    @Component
    public static class GreetingHandler {
        private final Greetings greetings;

        GreetingHandler(Greetings greetings) {
            this.greetings = greetings;
        }

        @PhaseHandler(phase = Phase.CONTENT)
        Result greet(HttpExchange exchange) {
            exchange.response().body(greetings.greeting());
            return Result.OK;
        }
    }
}
