package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** error-page: an internal redirect to a URI or named location, keeping the status unless =code says otherwise. */
@Timeout(30)
class ErrorPageTests {

    @TempDir
    Path root;

    String yaml() throws IOException {
        Files.writeString(root.resolve("404.html"), "custom not found");
        Files.writeString(root.resolve("oops.html"), "custom oops");
        return """
                root: %s
                error-page: ["404 /404.html"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                      - location: /override
                        error-page: ["404 =200 /oops.html"]
                      - location: /named
                        error-page: ["403 404 @fallback"]
                        locations:
                          - location: /named/denied
                      - location: "@fallback"
                        return: "200 from fallback"
                      - location: /take-target-status
                        error-page: ["404 = @teapot"]
                      - location: "@teapot"
                        return: "418 teapot"
                      - location: /absolute
                        error-page: ["404 https://elsewhere.test/x"]
                      - location: /broken-page
                        error-page: ["404 /missing-page.html"]
                      - location: /post
                        error-page: ["405 /oops.html"]
                      - location: /post-204
                        error-page: ["405 /r204"]
                      - location: = /r204
                        return: "204"
                      - location: /redirected
                        error-page: ["302 /oops.html"]
                        return: "302 /target"
                      - location: /redirected-named
                        error-page: ["302 @fallback"]
                        return: "302 /target"
                """.formatted(root);
    }

    @Test
    void theOriginalStatusIsKeptWithTheCustomBody() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            HttpResponse<String> r = e.http().get("/nope");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("custom not found");
        }
    }

    @Test
    void equalsCodeReplacesTheStatusAndABareEqualsTakesTheTargets() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            HttpResponse<String> r = e.http().get("/override/nope");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("custom oops");
            HttpResponse<String> t = e.http().get("/take-target-status/nope");
            assertThat(t.statusCode()).isEqualTo(418);
            assertThat(t.body()).isEqualTo("teapot");
        }
    }

    @Test
    void namedLocationsAndInheritanceIntoNestedLocations() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(), b -> b.handler(new HandlerDefinition(Phase.ACCESS, 0, "deny",
                ex -> Result.status(403), false, l -> l.name().equals("/named/denied"))))) {
            HttpResponse<String> r = e.http().get("/named/denied");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).isEqualTo("from fallback");
        }
    }

    @Test
    void anErrorPageServedByAnAsynchronousHandlerRunsItOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        error-page: ["404 @slow"]
                      - location: "@slow"
                """, b -> b
                .handler(new HandlerDefinition(Phase.ACCESS, 0, "async", ex -> {
                    calls.incrementAndGet();
                    return Result.pending(java.util.concurrent.CompletableFuture.supplyAsync(() -> Result.OK,
                            java.util.concurrent.CompletableFuture.delayedExecutor(100,
                                    java.util.concurrent.TimeUnit.MILLISECONDS)));
                }, false, l -> l.name().equals("@slow")))
                .handler(new HandlerDefinition(Phase.CONTENT, 0, "page", ex -> {
                    ex.response().body("slow page");
                    return Result.OK;
                }, false, l -> l.name().equals("@slow"))))) {
            HttpResponse<String> r = e.http().get("/missing");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("slow page");
            assertThat(calls.get()).isEqualTo(1);
        }
    }

    @Test
    void anAbsoluteUrlIsAnsweredWithARedirect() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            HttpResponse<String> r = e.http().get("/absolute/nope");
            assertThat(r.statusCode()).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).hasValue("https://elsewhere.test/x");
        }
    }

    @Test
    void aMissingErrorPageFallsBackToTheStandardOneWithoutLooping() throws Exception {
        try (TestEngine e = TestEngine.start(yaml())) {
            HttpResponse<String> r = e.http().get("/broken-page/nope");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("<h1>404 Not Found</h1>");
        }
    }

    @Test
    void aTargetAnsweringWithANonErrorStatusKeepsTheOriginalStatus() throws Exception {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("DELETE /post-204/x HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
            assertThat(r.body()).isEmpty();
            assertThat(c.send("GET /r204 HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(204);
        }
    }

    @Test
    void aRedirectsErrorPageKeepsItsLocationAsNginxDoes() throws Exception {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /redirected HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("Location")).isEqualTo("http://a:" + e.port() + "/target");
            assertThat(r.body()).isEqualTo("custom oops");
            RawClient.Response named = c.send("GET /redirected-named HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(named.status()).isEqualTo(302);
            assertThat(named.header("Location")).isEqualTo("http://a:" + e.port() + "/target");
            assertThat(named.body()).isEqualTo("from fallback");
        }
    }

    @Test
    void theRedirectedRequestIsAGet() throws Exception {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("DELETE /post/x HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.body()).isEqualTo("custom oops"); // served by GET although the request was DELETE
        }
    }
}
