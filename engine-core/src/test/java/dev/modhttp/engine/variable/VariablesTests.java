package dev.modhttp.engine.variable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.EngineException;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared variables, seen through return bodies and targets as a user writes them. */
@Timeout(30)
class VariablesTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                server-names: [vars.test, other.test]
                root: /srv/www
                locations:
                  - location: /show
                    return: "200 [$VALUE]"
                  - location: "~ ^/user/(\\\\d+)/(\\\\w+)$"
                    return: "200 id=$1 tab=$2"
                  - location: /go
                    return: "301 https://$host$request_uri"
                  - location: /braced
                    return: "200 ${uri}x|$uri|$is_args$args"
                  - location: /mine
                    return: "200 tenant=$tenant"
            """;

    /** A module defining its own variable, known to every template. */
    static final class TenantModule implements Module {
        @Override
        public Map<String, Variable> variables() {
            return Map.of("tenant", e -> e.request().header("X-Tenant"));
        }

        @Override
        public void register(ModuleRegistry registry) {
        }
    }

    static TestEngine engine(String variable) {
        return TestEngine.start(YAML.replace("$VALUE", variable), b -> b.module(new TenantModule()));
    }

    static RawClient.Response send(TestEngine e, String request) {
        try (RawClient c = e.raw()) {
            return c.send(request).read();
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @CsvSource(delimiterString = "=>", value = {
        "$uri                  => GET /show/a%20b/../c?x=1&Page=2 HTTP/1.1|Host: vars.test                   => /show/c",
        "$document_uri         => GET /show/%41 HTTP/1.1|Host: vars.test                                      => /show/A",
        "$request_uri          => GET /show/a%20b/../c?x=1 HTTP/1.1|Host: vars.test                           => /show/a%20b/../c?x=1",
        "$args                 => GET /show?x=1&y=%20 HTTP/1.1|Host: vars.test                                => x=1&y=%20",
        "$query_string         => GET /show?x=1 HTTP/1.1|Host: vars.test                                      => x=1",
        "$is_args              => GET /show?x=1 HTTP/1.1|Host: vars.test                                      => ?",
        "$is_args              => GET /show HTTP/1.1|Host: vars.test                                          => ''",
        "$arg_page             => GET /show?x=1&page=7 HTTP/1.1|Host: vars.test                               => 7",
        "$arg_page             => GET /show?pages=7 HTTP/1.1|Host: vars.test                                  => ''",
        "$http_user_agent      => GET /show HTTP/1.1|Host: vars.test|User-Agent: curl/8                       => curl/8",
        "$http_x_forwarded_for => GET /show HTTP/1.1|Host: vars.test|X-Forwarded-For: a|X-Forwarded-For: b    => a, b",
        "$http_missing         => GET /show HTTP/1.1|Host: vars.test                                          => ''",
        "$cookie_sid           => GET /show HTTP/1.1|Host: vars.test|Cookie: a=1; sid=xyz; b=2                => xyz",
        "$cookie_sid           => GET /show HTTP/1.1|Host: vars.test|Cookie: a=1|Cookie: sid=q                => q",
        "$host                 => GET /show HTTP/1.1|Host: VARS.test:8080                                     => vars.test",
        "$host                 => GET /show HTTP/1.0                                                          => vars.test",
        "$server_name          => GET /show HTTP/1.1|Host: other.test                                         => vars.test",
        "$scheme               => GET /show HTTP/1.1|Host: vars.test                                          => http",
        "$server_protocol      => GET /show HTTP/1.0                                                          => HTTP/1.0",
        "$request_method       => DELETE /show HTTP/1.1|Host: vars.test                                       => DELETE",
        "$request              => GET /show?a=1 HTTP/1.1|Host: vars.test                                      => GET /show?a=1 HTTP/1.1",
        "$remote_addr          => GET /show HTTP/1.1|Host: vars.test                                          => 127.0.0.1",
        "$server_addr          => GET /show HTTP/1.1|Host: vars.test                                          => 127.0.0.1",
        "$content_type         => POST /show HTTP/1.1|Host: vars.test|Content-Type: text/x|Content-Length: 0  => text/x",
        "$content_length       => POST /show HTTP/1.1|Host: vars.test|Content-Length: 0                       => 0",
        "$request_length       => GET /show HTTP/1.1|Host: vars.test                                          => 39",
        "$status               => GET /show HTTP/1.1|Host: vars.test                                          => 200",
        "$document_root        => GET /show HTTP/1.1|Host: vars.test                                          => /srv/www",
        "$request_filename     => GET /show/a.txt HTTP/1.1|Host: vars.test                                    => /srv/www/show/a.txt",
        "$connection_requests  => GET /show HTTP/1.1|Host: vars.test                                          => 1",
    })
    void aVariableRendersTheRequestsValue(String variable, String request, String expected) {
        try (TestEngine e = engine(variable)) {
            RawClient.Response r = send(e, request.replace("|", "\r\n") + "\r\n\r\n");
            assertThat(r.body()).isEqualTo("[" + expected + "]");
        }
    }

    @Test
    void ipv6AddressesArePrintedInTheirShortForm() throws Exception {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["[::1]:0"]
                    return: "200 $remote_addr $server_addr $host"
                """)) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://[::1]:" + e.port() + "/"))
                            .timeout(java.time.Duration.ofSeconds(5)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("::1 ::1 [::1]");
        }
    }

    @Test
    void portsAndSerialsAreNumbers() {
        try (TestEngine e = engine("$server_port $remote_port $connection $pid $request_id $msec $request_time")) {
            String body = send(e, "GET /show HTTP/1.1\r\nHost: vars.test\r\n\r\n").body();
            String[] v = body.substring(1, body.length() - 1).split(" ");
            assertThat(v[0]).isEqualTo(Integer.toString(e.port()));
            assertThat(Integer.parseInt(v[1])).isPositive();
            assertThat(Long.parseLong(v[2])).isPositive();
            assertThat(v[3]).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(v[4]).matches("[0-9a-f]{32}");
            assertThat(Double.parseDouble(v[5]) * 1000).isCloseTo(System.currentTimeMillis(),
                    org.assertj.core.data.Offset.offset(60_000.0));
            assertThat(v[6]).matches("\\d+\\.\\d{3}");
        }
    }

    @Test
    void timesUseNginxsFormats() {
        try (TestEngine e = engine("$time_local|$time_iso8601")) {
            String body = send(e, "GET /show HTTP/1.1\r\nHost: vars.test\r\n\r\n").body();
            assertThat(body).matches("\\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}"
                    + "\\|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}([+-]\\d{2}:\\d{2}|Z)]");
        }
    }

    @Test
    void aRegexLocationsCapturesAreNumberedVariables() {
        try (TestEngine e = engine("$uri")) {
            assertThat(send(e, "GET /user/42/posts HTTP/1.1\r\nHost: vars.test\r\n\r\n").body())
                    .isEqualTo("id=42 tab=posts");
        }
    }

    @Test
    void namedCapturesAreVariablesAsInNginx() {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    server-names: ["~^(?<sub>[a-z]+)\\\\.named\\\\.test$"]
                    locations:
                      - location: "~ ^/u/(?P<user_id>\\\\d+)/(?<tab>\\\\w+)$"
                        return: "200 user=$user_id tab=$tab other=[$f]"
                      - location: /img/
                        rewrite: ["^/img/(?<f>.+)$ /show?file=$f last"]
                      - location: = /show
                        return: "200 $arg_file"
                """)) {
            assertThat(send(e, "GET /u/7/posts HTTP/1.1\r\nHost: a\r\n\r\n").body())
                    .isEqualTo("user=7 tab=posts other=[]");
            // a named capture is copied as a variable, never escaped again (nginx 1.22: a%b.png)
            assertThat(send(e, "GET /img/a%25b.png HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("a%b.png");
        }
        assertThatThrownBy(() -> TestEngine.start("servers: [{ return: \"200 $nocapture\" }]"))
                .hasMessageContaining("unknown variable \"$nocapture\"");
    }

    @Test
    void aRedirectTargetIsRenderedPerRequest() {
        try (TestEngine e = engine("$uri")) {
            RawClient.Response r = send(e, "GET /go/x?y=1 HTTP/1.1\r\nHost: vars.test\r\n\r\n");
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("Location")).isEqualTo("https://vars.test/go/x?y=1");
            RawClient.Response relative = send(e, "GET /go HTTP/1.0\r\n\r\n");
            assertThat(relative.header("Location")).isEqualTo("https://vars.test/go"); // $host: the server's name
        }
    }

    @Test
    void bracesEndANameAndTextFollowsIt() {
        try (TestEngine e = engine("$uri")) {
            assertThat(send(e, "GET /braced?k=v HTTP/1.1\r\nHost: vars.test\r\n\r\n").body())
                    .isEqualTo("/bracedx|/braced|?k=v");
        }
    }

    @Test
    void aModulesOwnVariableIsKnownToEveryTemplate() {
        try (TestEngine e = engine("$uri")) {
            assertThat(send(e, "GET /mine HTTP/1.1\r\nHost: vars.test\r\nX-Tenant: acme\r\n\r\n").body())
                    .isEqualTo("tenant=acme");
        }
    }

    @Test
    void anUnknownVariableFailsStartupNamingTheKeyAndScope() {
        assertThatThrownBy(() -> engine("$nosuch").close())
                .isInstanceOf(ConfigException.class)
                .hasMessage("engine.servers[0].locations[0].return: unknown variable \"$nosuch\"");
    }

    @Test
    void aLoneDollarFailsStartup() {
        assertThatThrownBy(() -> engine("cost: $ 5").close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid variable name after '$'");
    }

    @Test
    void aModuleMayNotRedefineABuiltInVariable() {
        Module clash = new Module() {
            @Override
            public Map<String, Variable> variables() {
                return Map.of("uri", e -> "x");
            }

            @Override
            public void register(ModuleRegistry registry) {
            }
        };
        assertThatThrownBy(() -> TestEngine.start("servers: [{listen: [\"127.0.0.1:0\"]}]", b -> b.module(clash)).close())
                .isInstanceOf(EngineException.class)
                .hasMessage("variable \"$uri\" is already defined");
    }
}
