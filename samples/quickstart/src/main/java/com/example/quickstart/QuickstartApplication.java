package com.example.quickstart;

import dev.modhttp.boot.PhaseHandler;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

@SpringBootApplication
public class QuickstartApplication {

    public static void main(String[] args) {
        SpringApplication.run(QuickstartApplication.class, args);
    }
}

@Component
class ApiHandlers {

    @PhaseHandler(phase = Phase.ACCESS)
    Result token(Request request) {
        return "secret".equals(request.header("X-Token")) ? Result.OK : Result.status(401);
    }

    @PhaseHandler(phase = Phase.CONTENT)
    Result hello(HttpExchange exchange) {
        exchange.response().contentType("text/plain").body("hello " + exchange.request().uri() + "\n");
        return Result.OK;
    }
}
