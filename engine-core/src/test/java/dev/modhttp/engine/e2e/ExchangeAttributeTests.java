package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.TestEngine;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request's attributes (per-request state of modules): kept for the request, cleared by an internal redirect. */
class ExchangeAttributeTests {

    @Test
    void attributesLiveForTheRequestAreReplacedByKeyAndAreClearedByAnInternalRedirect() throws Exception {
        List<String> seenAfterRedirect = new ArrayList<>();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        error-page: ["404 @page"]
                      - location: "@page"
                """, b -> b
                .handler(new HandlerDefinition(Phase.ACCESS, 0, "set", ex -> {
                    for (int i = 0; i < 9; i++) {
                        ex.attribute("k" + i, i); // more keys than a request usually holds
                    }
                    ex.attribute("k3", "three");
                    ex.attribute(new String("k5"), "five"); // keys compare by equals
                    assertThatThrownBy(() -> ex.attribute(null, 1)).isInstanceOf(NullPointerException.class);
                    return Result.DECLINED;
                }, false, l -> l.pattern().equals("/")))
                .handler(new HandlerDefinition(Phase.CONTENT, 0, "read", ex -> {
                    if (ex.request().uri().equals("/missing")) {
                        return Result.status(404);
                    }
                    StringBuilder s = new StringBuilder();
                    for (int i = 0; i < 10; i++) {
                        s.append((Object) ex.attribute("k" + i)).append(' ');
                    }
                    ex.response().body(s.toString().trim());
                    return Result.OK;
                }, false, l -> l.pattern().equals("/")))
                .handler(new HandlerDefinition(Phase.CONTENT, 0, "page", ex -> {
                    seenAfterRedirect.add(String.valueOf((Object) ex.attribute("k0")));
                    ex.response().body("page");
                    return Result.OK;
                }, false, l -> l.name().equals("@page"))))) {
            HttpResponse<String> r = e.http().get("/x");
            assertThat(r.body()).isEqualTo("0 1 2 three 4 five 6 7 8 null");
            assertThat(e.http().get("/missing").body()).isEqualTo("page");
            assertThat(seenAfterRedirect).containsExactly("null");
        }
    }
}
