package dev.modhttp.boot.test;

import static dev.modhttp.boot.test.EngineAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.boot.EngineAutoConfiguration;
import dev.modhttp.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Routing assertions on an application's engine, passing and failing as a user's test would. */
class EngineAssertTests {

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EngineAutoConfiguration.class))
            .withPropertyValues("engine.servers[0].listen[0]=127.0.0.1:0",
                    "engine.servers[0].locations[0].location=/",
                    "engine.servers[0].locations[1].location=^~ /static/",
                    "engine.servers[0].locations[2].location=~* \\.(gif|jpg)$",
                    "engine.servers[0].locations[3].location=/images/",
                    "engine.servers[1].listen[0]=127.0.0.1:0",
                    "engine.servers[1].server-names[0]=api.test",
                    "engine.servers[1].locations[0].location== /exact");

    @Test
    void aRequestSelectsTheLocationNginxWouldAndAWrongExpectationShowsTheSearch() {
        runner.run(context -> {
            Engine engine = context.getBean(Engine.class);
            assertThat(engine).request("GET", "/images/a.GIF").selects("~* \\.(gif|jpg)$");
            assertThat(engine).request("GET", "/static/a.gif").selects("^~ /static/");
            assertThat(engine).request("GET", "/images/x/../a.txt?v=1").selects("/images/");
            assertThat(engine).request("GET", "/%69mages/b.png").selects("/images/").onServer("servers[0]");
            assertThat(engine).request("GET", "/exact").host("api.test").selects("= /exact").onServer("servers[1]");
            assertThat(engine).request("GET", "/other").host("api.test").selectsNoLocation();
            assertThatThrownBy(() -> assertThat(engine).request("GET", "/images/a.gif").selects("/images/"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("GET /images/a.gif selects ~* \\.(gif|jpg)$, not /images/")
                    .hasMessageContaining("selected ~* \\.(gif|jpg)$");
            assertThatIllegalArgumentException().isThrownBy(() -> assertThat(engine).request("GET", "/../etc/passwd"))
                    .withMessageContaining("400");
            assertThatIllegalArgumentException().as("not a request target").isThrownBy(() -> assertThat(engine)
                    .request("GET", "images/a.gif")).withMessageContaining("400");
            assertThat(engine).request("GET", "http://api.test/exact").host("api.test").selects("= /exact");
        });
    }

    @Test
    void aTableOfRequestsIsCheckedRowByRowAndEveryWrongRowIsListed() throws Exception {
        Path good = Files.writeString(dir.resolve("good.txt"), """
                # host     target           -> location
                -          /static/a.gif    -> ^~ /static/
                -          /a.jpg           -> ~* \\.(gif|jpg)$
                api.test   /exact           -> = /exact
                api.test   /nothing         -> (none)
                """);
        Path bad = Files.writeString(dir.resolve("bad.txt"), """
                -          /static/a.gif    -> /
                -          /a.jpg           -> ~* \\.(gif|jpg)$
                api.test   /exact/          -> = /exact
                """);
        runner.run(context -> {
            Engine engine = context.getBean(Engine.class);
            assertThat(engine).selectsAsIn(good);
            assertThatThrownBy(() -> assertThat(engine).selectsAsIn(bad))
                    .hasMessageContaining("2 row(s)")
                    .hasMessageContaining("bad.txt:1: - /static/a.gif selects ^~ /static/, not /")
                    .hasMessageContaining("bad.txt:3: api.test /exact/ selects (none), not = /exact")
                    .hasMessageNotContaining("bad.txt:2");
        });
    }
}
