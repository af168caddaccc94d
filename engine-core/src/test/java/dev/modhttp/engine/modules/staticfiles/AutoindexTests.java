package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.TestEngine;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Directory listings for directories without an index file, when a scope turns autoindex on. */
@Timeout(30)
class AutoindexTests {

    @TempDir
    Path root;

    @BeforeEach
    void tree() throws Exception {
        Docroot.in(root).file("files/b.txt", "12345").file("files/<script>.txt", "x")
                .file("files/with space.txt", "").file("files/javascript:alert(1)", "").file("files/x!*~y", "")
                .file("files/.hidden", "secret").dir("files/zdir");
    }

    String yaml(String extra) {
        return Docroot.in(root).server("", "- location: /\n" + extra.indent(2));
    }

    @Test
    void anHtmlListingLikeNginxsWithNamesEscapedAndDirectoriesFirst() {
        try (TestEngine e = TestEngine.start(yaml("autoindex: on"))) {
            HttpResponse<String> r = e.http().get("/files/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html");
            String body = r.body();
            assertThat(body).startsWith("<html>\r\n<head><title>Index of /files/</title></head>")
                    .contains("<a href=\"../\">../</a>")
                    .contains("<a href=\"%3Cscript%3E.txt\">&lt;script&gt;.txt</a>")
                    .contains("<a href=\"with%20space.txt\">with space.txt</a>")
                    // as nginx: never a scheme, every byte but letters, digits and -._~ encoded
                    .contains("<a href=\"javascript%3Aalert%281%29\">javascript:alert(1)</a>")
                    .contains("<a href=\"x%21%2A~y\">x!*~y</a>")
                    .doesNotContain(".hidden").doesNotContain("<script>");
            assertThat(body.indexOf("zdir/")).as("directories first").isLessThan(body.indexOf("b.txt"));
            assertThat(body).containsPattern("b\\.txt</a> +\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2} +5\\r\\n");
        }
    }

    @Test
    void aJsonListing() {
        try (TestEngine e = TestEngine.start(yaml("autoindex: on\nautoindex-format: json"))) {
            HttpResponse<String> r = e.http().get("/files/");
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(r.body()).startsWith("[\n{ \"name\":\"zdir\", \"type\":\"directory\"")
                    .contains("{ \"name\":\"b.txt\", \"type\":\"file\", \"mtime\":\"").contains("\"size\":5 }");
        }
    }

    @Test
    void withoutAutoindexADirectoryWithoutIndexIs403() {
        try (TestEngine e = TestEngine.start(yaml("autoindex: off"))) {
            assertThat(e.http().get("/files/").statusCode()).isEqualTo(403);
        }
    }
}
