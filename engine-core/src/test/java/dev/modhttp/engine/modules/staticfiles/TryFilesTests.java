package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.test.TestEngine;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** try-files in PRECONTENT: the first existing entry becomes the URI, else the fallback decides. */
@Timeout(30)
class TryFilesTests {

    @TempDir
    Path root;

    @BeforeEach
    void files() throws Exception {
        Docroot.in(root).file("index.html", "the app shell").file("page.txt", "a page")
                .file("docs/index.html", "docs index");
    }

    String yaml() {
        return Docroot.in(root).server("", """
                - location: /
                  try-files: [$uri, $uri/, /index.html]
                - location: /strict/
                  try-files: [$uri, "=418"]
                - location: /named/
                  try-files: [$uri, "@backend"]
                - location: /with-args/
                  try-files: [$uri, "/echo?from=$uri&$args"]
                - location: = /echo
                - location: "@backend"
                  return: "200 from the backend"
                """);
    }

    @Test
    void theFirstExistingEntryIsServedAndTheFallbackCatchesTheRest() {
        try (TestEngine e = TestEngine.start(yaml(), b -> b.handler(new dev.modhttp.engine.phase.HandlerDefinition(
                dev.modhttp.engine.phase.Phase.CONTENT, 0, "echo", ex -> {
                    ex.response().body(ex.request().args());
                    return dev.modhttp.engine.phase.Result.OK;
                }, false, l -> l.name().equals("/echo"))))) {
            assertThat(e.http().get("/page.txt").body()).isEqualTo("a page");
            HttpResponse<String> dir = e.http().get("/docs");
            assertThat(dir.statusCode()).as("$uri/ matched a directory: nginx's 301 to its slash form").isEqualTo(301);
            assertThat(dir.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/docs/"));
            assertThat(e.http().get("/docs/").body()).as("then the index").isEqualTo("docs index");
            HttpResponse<String> spa = e.http().get("/some/client/route");
            assertThat(spa.statusCode()).isEqualTo(200);
            assertThat(spa.body()).isEqualTo("the app shell");
            assertThat(e.http().get("/strict/missing").statusCode()).isEqualTo(418);
            assertThat(e.http().get("/named/missing").body()).isEqualTo("from the backend");
            assertThat(e.http().get("/with-args/x?a=1").body()).isEqualTo("from=/with-args/x&a=1");
        }
    }

    @Test
    void aTryFilesWithoutFallbackOrWithABadCodeFailsStartup() {
        assertThatThrownBy(() -> TestEngine.start("""
                servers: [{ locations: [{ location: /, try-files: [$uri] }] }]
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("engine.servers[0].locations[0]").hasMessageContaining("needs at least one file");
        assertThatThrownBy(() -> TestEngine.start("""
                servers: [{ locations: [{ location: /, try-files: [$uri, "=abc"] }] }]
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("is not =code");
    }
}
