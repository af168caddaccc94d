package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.TestEngine;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that matches no location is served with the server block's own configuration, as
 * nginx does (its server block is the fallback location): root, index, add-header and every
 * phase handler apply; server-scope rewrites run once, in SERVER_REWRITE.
 */
@Timeout(30)
class NoLocationTests {

    @TempDir
    Path root;

    @BeforeEach
    void files() throws IOException {
        Files.writeString(root.resolve("t1.html"), "t1");
        Files.writeString(root.resolve("t3.html"), "t3");
        Files.writeString(root.resolve("index.html"), "the index");
        Files.createDirectories(root.resolve("p"));
        Files.writeString(root.resolve("p/q"), "rewritten once");
    }

    @Test
    void aUriOutsideEveryLocationIsTheServerRootsFile() throws Exception {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                    add-header: ["X-Server yes"]
                    locations:
                      - location: /t3.html
                        add-header: ["X-Location t3"]
                """.formatted(root))) {
            HttpResponse<String> t1 = e.http().get("/t1.html");
            assertThat(t1.statusCode()).isEqualTo(200);
            assertThat(t1.body()).isEqualTo("t1");
            assertThat(t1.headers().firstValue("X-Server")).hasValue("yes");
            assertThat(t1.headers().firstValue("X-Location")).isEmpty();
            assertThat(e.http().get("/t3.html").headers().firstValue("X-Location")).hasValue("t3");
            assertThat(e.http().get("/missing.html").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aServerWithoutLocationsServesItsRootAndIndex() throws Exception {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                """.formatted(root))) {
            assertThat(e.http().get("/").body()).isEqualTo("the index");
            assertThat(e.http().get("/t1.html").body()).isEqualTo("t1");
        }
    }

    @Test
    void phaseHandlersRunForTheServerScope() throws Exception {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                    locations:
                      - location: /t3.html
                """.formatted(root), b -> b.handler(Phase.ACCESS, ex -> ex.request().header("X-Token") != null
                        ? Result.OK : Result.status(401)))) {
            assertThat(e.http().get("/t1.html").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void serverRewritesRunOnceNotAgainInTheRewritePhase() throws Exception {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                    rewrite: ["^/(.*)$ /p/$1"]
                    locations:
                      - location: /t3.html
                """.formatted(root))) {
            HttpResponse<String> r = e.http().get("/q");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("rewritten once");
        }
    }
}
