package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application with Micrometer Tracing over OpenTelemetry (Boot's auto-configuration, no
 * exporter): each request is a span continuing its {@code traceparent}, current in the
 * application's handlers, and {@code $trace_id}/{@code $span_id} name it in the access log.
 */
@Timeout(60)
class EngineTracingTests {

    static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final String PARENT = "b7ad6b7169203331";

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {

        /** Answers with the span current in the handler: on the event loop, or on a worker when blocking. */
        @Bean
        Spans spans(Tracer tracer) {
            return new Spans(tracer);
        }

        /** An in-test collector: Boot's OpenTelemetry configuration exports finished spans to SpanExporter beans. */
        @Bean
        Collected collected() {
            return new Collected();
        }
    }

    static class Collected implements SpanExporter {
        final List<SpanData> spans = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    static class Spans {
        private final Tracer tracer;

        Spans(Tracer tracer) {
            this.tracer = tracer;
        }

        @PhaseHandler(phase = Phase.CONTENT)
        Result current(HttpExchange exchange) {
            if (exchange.request().uri().startsWith("/fail")) {
                throw new IllegalStateException("the handler failed");
            }
            return answer(exchange);
        }

        @PhaseHandler(phase = Phase.CONTENT, blocking = true, order = -1)
        Result blocking(HttpExchange exchange) {
            return exchange.request().uri().startsWith("/blocking") ? answer(exchange) : Result.DECLINED;
        }

        private Result answer(HttpExchange exchange) {
            Span span = tracer.currentSpan();
            exchange.response().body(span == null ? "none" : span.context().traceId() + " " + span.context().spanId());
            return Result.OK;
        }
    }

    ConfigurableApplicationContext start(String... more) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.tracing.sampling.probability=1.0",
                "--engine.log-format.traced=$uri $status $trace_id $span_id",
                "--engine.access-log[0]=" + dir.resolve("access.log") + " traced",
                "--engine.servers[0].locations[0].location=/",
                "--engine.servers[0].locations[0].add-header[0]=X-Trace-Id $trace_id"));
        args.addAll(List.of(more));
        return app.run(args.toArray(String[]::new));
    }

    static SpanData exported(ConfigurableApplicationContext context, String spanId) throws InterruptedException {
        Collected collected = context.getBean(Collected.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); // the batch processor exports every few seconds
        while (collected.spans.stream().noneMatch(x -> x.getSpanId().equals(spanId)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return collected.spans.stream().filter(x -> x.getSpanId().equals(spanId)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + spanId + " exported: " + collected.spans));
    }

    static HttpResponse<String> get(ConfigurableApplicationContext context, String path, String traceparent)
            throws Exception {
        int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<String> log(int count) throws Exception {
        Path file = dir.resolve("access.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() >= count || System.nanoTime() > deadline) {
                return lines;
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aRequestsSpanContinuesItsTraceparentAndIsCurrentInTheHandlerAndNamedInTheLog() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            HttpResponse<String> r = get(context, "/a", "00-" + TRACE + "-" + PARENT + "-01");
            assertThat(r.statusCode()).isEqualTo(200);
            String[] inHandler = r.body().split(" ");
            assertThat(inHandler[0]).as("the handler's current span is in the request's trace").isEqualTo(TRACE);
            assertThat(inHandler[1]).as("a span of its own, child of the caller's").matches("[0-9a-f]{16}").isNotEqualTo(PARENT);
            assertThat(r.headers().firstValue("X-Trace-Id")).hasValue(TRACE);
            assertThat(log(1)).containsExactly("/a 200 " + TRACE + " " + inHandler[1]);

            HttpResponse<String> fresh = get(context, "/b", null);
            String[] own = fresh.body().split(" ");
            assertThat(own[0]).as("no traceparent: a new trace").matches("[0-9a-f]{32}").isNotEqualTo(TRACE);
            assertThat(log(2)).element(1).isEqualTo("/b 200 " + own[0] + " " + own[1]);

            HttpResponse<String> blocking = get(context, "/blocking", "00-" + TRACE + "-" + PARENT + "-01");
            assertThat(blocking.body()).as("current on the worker thread too").startsWith(TRACE + " ");

            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("http.server.requests").tag("location", "/").tag("status", "200")
                    .tag("exception", "none").timer().count()).isEqualTo(3);

            // the span as an exporter receives it: a server span, child of the caller's, keyed as the timer
            SpanData span = exported(context, inHandler[1]);
            assertThat(span.getName()).isEqualTo("http get");
            assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(span.getTraceId()).isEqualTo(TRACE);
            assertThat(span.getParentSpanId()).isEqualTo(PARENT);
            assertThat(span.getAttributes().asMap()).containsEntry(AttributeKey.stringKey("location"), "/")
                    .containsEntry(AttributeKey.stringKey("status"), "200")
                    .containsEntry(AttributeKey.stringKey("http.url"), "/a");
        }
    }

    @Test
    void aProxiedRequestCarriesItsAttemptsSpanToTheBackendWhoseSpanIsItsChild() throws Exception {
        int backend;
        try (ServerSocket free = new ServerSocket(0)) {
            backend = free.getLocalPort();
        }
        // the application proxies /api/ to a second server of its own, whose handler answers with its current span
        try (ConfigurableApplicationContext context = start(
                "--engine.servers[0].locations[1].location=/api/",
                "--engine.servers[0].locations[1].proxy-pass=http://127.0.0.1:" + backend + "/",
                "--engine.servers[1].listen[0]=127.0.0.1:" + backend,
                "--engine.servers[1].locations[0].location=/")) {
            HttpResponse<String> r = get(context, "/api/users", "00-" + TRACE + "-" + PARENT + "-01");
            assertThat(r.statusCode()).isEqualTo(200);
            String[] atBackend = r.body().split(" ");
            assertThat(atBackend[0]).as("the backend's handler is in the client's trace").isEqualTo(TRACE);

            SpanData inner = exported(context, atBackend[1]);
            assertThat(inner.getKind()).isEqualTo(SpanKind.SERVER);
            SpanData attempt = exported(context, inner.getParentSpanId());
            assertThat(attempt.getKind()).as("the backend's span is the proxy attempt's child").isEqualTo(SpanKind.CLIENT);
            assertThat(attempt.getName()).isEqualTo("http get");
            assertThat(attempt.getTraceId()).isEqualTo(TRACE);
            assertThat(attempt.getAttributes().asMap())
                    .containsEntry(AttributeKey.stringKey("client.name"), "127.0.0.1:" + backend)
                    .containsEntry(AttributeKey.stringKey("status"), "200")
                    .containsEntry(AttributeKey.stringKey("http.url"), "http://127.0.0.1:" + backend + "/users");
            assertThat(attempt.getEvents()).extracting(EventData::getName).containsExactly("connected", "response head");
            SpanData outer = exported(context, attempt.getParentSpanId());
            assertThat(outer.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(outer.getParentSpanId()).as("the request's span, child of the caller's").isEqualTo(PARENT);
            assertThat(outer.getAttributes().asMap()).containsEntry(AttributeKey.stringKey("location"), "/api/");

            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("http.client.requests").tag("client.name", "127.0.0.1:" + backend).tag("status", "200")
                    .tag("outcome", "SUCCESS").timer().count()).isEqualTo(1);
        }
    }

    @Test
    void whatAHandlerThrowsIsTheObservationsError() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(get(context, "/fail", null).statusCode()).isEqualTo(500);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("http.server.requests").tag("status", "500")
                    .tag("exception", "IllegalStateException").tag("outcome", "SERVER_ERROR").timer().count()).isEqualTo(1);
        }
    }
}
