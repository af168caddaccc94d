package dev.modhttp.engine.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.TestCertificates;
import dev.modhttp.engine.test.TestEngine;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One location set, every protocol: each scenario of the table (static files, ranges,
 * conditional requests, HEAD, rewrite and return, headers and expires, access, auth-basic,
 * limit-req, gzip, error pages and named locations, try-files, regex locations, request bodies
 * and their limit, variables, stub_status) runs over plain HTTP/1.1, HTTP/1.1 over TLS, h2 by
 * ALPN and h2c with prior knowledge, and must answer the same: status, the headers named, body
 * bytes. Only what the protocol itself defines differs ({@code $scheme}, {@code $server_protocol},
 * framing headers).
 */
@Timeout(120)
class EveryProtocolTests {

    enum Protocol { HTTP1, HTTP1_TLS, H2, H2C }

    /** A response as every client reports it: header names in lower case. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /** One row: a request and what the answer must show. */
    record Scenario(String name, String method, String path, String body, List<String> headers,
            Consumer<Ctx> check) {
    }

    /** What a check sees: the protocol it ran over and the response. */
    record Ctx(Protocol protocol, Response r) {
        String scheme() {
            return protocol == Protocol.HTTP1 || protocol == Protocol.H2C ? "http" : "https";
        }

        String version() {
            return protocol == Protocol.H2 || protocol == Protocol.H2C ? "HTTP/2.0" : "HTTP/1.1";
        }
    }

    @TempDir
    static Path root;
    static TestEngine engine;
    static HttpClient http1;
    static HttpClient http2;
    static final Instant MTIME = Instant.parse("2024-01-02T03:04:05Z");
    static final String PAGE = "<html><body>" + "compressible text ".repeat(50) + "</body></html>\n";

    @BeforeAll
    static void start() throws Exception {
        Path files = Files.createDirectories(root.resolve("site/static"));
        Files.writeString(files.resolve("a.txt"), "alpha\n");
        Files.setLastModifiedTime(files.resolve("a.txt"), FileTime.from(MTIME));
        Files.writeString(files.resolve("index.html"), "<p>index</p>\n");
        Files.writeString(files.resolve("page.html"), PAGE);
        Files.writeString(root.resolve("site/404.html"), "custom not found\n");
        Files.writeString(Files.createDirectories(root.resolve("site/private")).resolve("p.txt"), "secret\n");
        Files.writeString(Files.createDirectories(root.resolve("site/limited")).resolve("l.txt"), "allowed\n");
        Files.writeString(root.resolve("users"), "bob:{SHA}9SMYoF5RilWWASry7TjeaKwmpGg=\n");
        engine = TestEngine.start("""
                limit-req-zone: ["$scheme$server_protocol zone=one:1m rate=1r/m"]
                servers:
                  - listen: ["127.0.0.1:0", "localhost:0 ssl"] # two hosts: two sockets on port 0
                    http2: on
                    ssl-certificate: %2$s/localhost.crt
                    ssl-certificate-key: %2$s/localhost.key
                    root: %1$s/site
                    locations:
                      - location: /static/
                        add-header: ["X-Frame-Options DENY"]
                        expires: 1h
                        gzip: on
                      - location: /old/
                        rewrite: ["^/old/(.*)$ /new/$1 last"]
                      - location: /new/
                        return: "200 new $uri"
                      - location: /moved
                        return: "301 /new/x"
                      - location: /denied
                        access: ["deny all"]
                      - location: /private/
                        auth-basic: Admin
                        auth-basic-user-file: %1$s/users
                        add-header: ["X-User $remote_user"]
                      - location: /limited/
                        limit-req: ["zone=one"]
                      - location: /missing/
                        error-page: ["404 /404.html"]
                      - location: /named/
                        error-page: ["404 = @fallback"]
                      - location: "@fallback"
                        return: "200 fallback $uri"
                      - location: /app/
                        try-files: [$uri, /static/a.txt]
                      - location: "~ \\\\.php$"
                        return: "200 php $uri"
                      - location: /echo
                        client-max-body-size: 16
                        echo: { enabled: true }
                      - location: /vars
                        return: "200 $request_method|$uri|$args|$http_x_test|$host|$scheme|$server_protocol"
                      - location: /status
                        stub-status: on
                """.formatted(root, TestCertificates.dir()), b -> b.module(Http2Tests.echo()));
        http1 = HttpClient.newBuilder().sslContext(TestCertificates.clientContext()).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        http2 = HttpClient.newBuilder().sslContext(TestCertificates.clientContext()).version(HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static List<Scenario> table() {
        List<Scenario> t = new ArrayList<>();
        t.add(new Scenario("a static file with its type, validators and location headers", "GET", "/static/a.txt", null,
                List.of(), c -> {
                    assertThat(c.r().status()).isEqualTo(200);
                    assertThat(c.r().text()).isEqualTo("alpha\n");
                    assertThat(c.r().header("content-type")).isEqualTo("text/plain");
                    assertThat(c.r().header("content-length")).isEqualTo("6");
                    assertThat(c.r().header("last-modified")).isEqualTo("Tue, 02 Jan 2024 03:04:05 GMT");
                    assertThat(c.r().header("etag")).isNotNull();
                    assertThat(c.r().header("x-frame-options")).isEqualTo("DENY");
                    assertThat(c.r().header("cache-control")).isEqualTo("max-age=3600");
                }));
        t.add(new Scenario("the index file of a directory", "GET", "/static/", null, List.of(),
                c -> assertThat(c.r().text()).isEqualTo("<p>index</p>\n")));
        t.add(new Scenario("a missing file is nginx's 404 page", "GET", "/static/none.txt", null, List.of(), c -> {
            assertThat(c.r().status()).isEqualTo(404);
            assertThat(c.r().text()).contains("<center><h1>404 Not Found</h1></center>");
            assertThat(c.r().header("x-frame-options")).isNull(); // add-header skips errors
        }));
        t.add(new Scenario("a byte range", "GET", "/static/a.txt", null, List.of("Range", "bytes=1-3"), c -> {
            assertThat(c.r().status()).isEqualTo(206);
            assertThat(c.r().text()).isEqualTo("lph");
            assertThat(c.r().header("content-range")).isEqualTo("bytes 1-3/6");
        }));
        t.add(new Scenario("If-Modified-Since equal to the file's time is a 304 without a body", "GET", "/static/a.txt",
                null, List.of("If-Modified-Since", "Tue, 02 Jan 2024 03:04:05 GMT"), c -> {
                    assertThat(c.r().status()).isEqualTo(304);
                    assertThat(c.r().body()).isEmpty();
                }));
        t.add(new Scenario("HEAD has the GET's headers and no body", "HEAD", "/static/a.txt", null, List.of(), c -> {
            assertThat(c.r().status()).isEqualTo(200);
            assertThat(c.r().header("content-length")).isEqualTo("6");
            assertThat(c.r().body()).isEmpty();
        }));
        t.add(new Scenario("gzip for a client that accepts it", "GET", "/static/page.html", null,
                List.of("Accept-Encoding", "gzip"), c -> {
                    assertThat(c.r().status()).isEqualTo(200);
                    assertThat(c.r().header("content-encoding")).isEqualTo("gzip");
                    assertThat(c.r().header("content-length")).isNull();
                    assertThat(gunzip(c.r().body())).isEqualTo(PAGE);
                }));
        t.add(new Scenario("rewrite ... last finds the new location", "GET", "/old/x", null, List.of(),
                c -> assertThat(c.r().text()).isEqualTo("new /new/x")));
        t.add(new Scenario("a relative return redirect becomes absolute with the request's scheme", "GET", "/moved", null,
                List.of(), c -> {
                    assertThat(c.r().status()).isEqualTo(301);
                    assertThat(c.r().header("location")).matches(c.scheme() + "://localhost:\\d+/new/x");
                }));
        t.add(new Scenario("access deny all is 403", "GET", "/denied", null, List.of(),
                c -> assertThat(c.r().status()).isEqualTo(403)));
        t.add(new Scenario("auth-basic without credentials is 401 with the realm", "GET", "/private/p.txt", null, List.of(),
                c -> {
                    assertThat(c.r().status()).isEqualTo(401);
                    assertThat(c.r().header("www-authenticate")).isEqualTo("Basic realm=\"Admin\"");
                }));
        t.add(new Scenario("auth-basic with a good password", "GET", "/private/p.txt", null,
                List.of("Authorization", basic("bob", "builder")), c -> {
                    assertThat(c.r().text()).isEqualTo("secret\n");
                    assertThat(c.r().header("x-user")).isEqualTo("bob");
                }));
        t.add(new Scenario("limit-req: the first request of the minute passes", "GET", "/limited/l.txt", null, List.of(),
                c -> assertThat(c.r().text()).isEqualTo("allowed\n")));
        t.add(new Scenario("limit-req: the second is refused with 503", "GET", "/limited/l.txt", null, List.of(),
                c -> assertThat(c.r().status()).isEqualTo(503)));
        t.add(new Scenario("error-page to a URI serves that page with the error's status", "GET", "/missing/x", null,
                List.of(), c -> {
                    assertThat(c.r().status()).isEqualTo(404);
                    assertThat(c.r().text()).isEqualTo("custom not found\n");
                }));
        t.add(new Scenario("error-page = @named takes the named location's status", "GET", "/named/x", null, List.of(),
                c -> {
                    assertThat(c.r().status()).isEqualTo(200);
                    assertThat(c.r().text()).isEqualTo("fallback /named/x");
                }));
        t.add(new Scenario("try-files falls back to its last entry", "GET", "/app/route", null, List.of(),
                c -> assertThat(c.r().text()).isEqualTo("alpha\n")));
        t.add(new Scenario("a regex location", "GET", "/x/index.php", null, List.of(),
                c -> assertThat(c.r().text()).isEqualTo("php /x/index.php")));
        t.add(new Scenario("a request body reaches the handler", "POST", "/echo", "ping", List.of(),
                c -> assertThat(c.r().text()).isEqualTo("POST ping")));
        t.add(new Scenario("a body over client-max-body-size is 413", "POST", "/echo", "x".repeat(100), List.of(),
                c -> assertThat(c.r().status()).isEqualTo(413)));
        t.add(new Scenario("variables", "GET", "/vars?a=1&b=%20", null, List.of("X-Test", "t1"), c -> assertThat(c.r().text())
                .isEqualTo("GET|/vars|a=1&b=%20|t1|localhost|" + c.scheme() + "|" + c.version())));
        t.add(new Scenario("stub_status", "GET", "/status", null, List.of(), c -> {
            assertThat(c.r().status()).isEqualTo(200);
            assertThat(c.r().text()).startsWith("Active connections: ");
        }));
        return t;
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioOverEveryProtocol() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Protocol p : Protocol.values()) {
            for (Scenario s : table()) {
                tests.add(DynamicTest.dynamicTest(p + ": " + s.name(), () -> s.check().accept(new Ctx(p, send(p, s)))));
            }
        }
        return tests.stream();
    }

    static Response send(Protocol p, Scenario s) throws Exception {
        return switch (p) {
            case HTTP1 -> jdk(http1, "http", engine.port(0), s);
            case HTTP1_TLS -> jdk(http1, "https", engine.port(1), s);
            case H2 -> jdk(http2, "https", engine.port(1), s);
            case H2C -> raw(engine.port(0), s);
        };
    }

    static Response jdk(HttpClient client, String scheme, int port, Scenario s) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + port + s.path()))
                .timeout(Duration.ofSeconds(10))
                .method(s.method(), s.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(s.body()));
        for (int i = 0; i < s.headers().size(); i += 2) {
            b.header(s.headers().get(i), s.headers().get(i + 1));
        }
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        String expected = client == http2 ? "HTTP_2" : "HTTP_1_1";
        assertThat(r.version().name()).as("protocol spoken").isEqualTo(expected);
        Map<String, String> headers = new TreeMap<>();
        r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
        return new Response(r.statusCode(), headers, r.body());
    }

    static Response raw(int port, Scenario s) throws IOException {
        try (H2Client c = H2Client.connect(port).handshake()) {
            List<String> fields = new ArrayList<>();
            for (int i = 0; i < s.headers().size(); i += 2) {
                fields.add(s.headers().get(i).toLowerCase(Locale.ROOT));
                fields.add(s.headers().get(i + 1));
            }
            if (s.body() != null) {
                fields.add("content-length");
                fields.add(String.valueOf(s.body().length()));
            }
            byte[] block = c.block(s.method(), s.path(), "localhost:" + port, fields.toArray(new String[0]));
            c.headers(1, s.body() == null, block);
            if (s.body() != null) {
                c.frame(H2Client.DATA, H2Client.END_STREAM, 1, s.body().getBytes(StandardCharsets.UTF_8));
            }
            H2Client.Response r = c.response(1);
            Map<String, String> headers = new TreeMap<>();
            for (Map.Entry<CharSequence, CharSequence> e : r.head()) {
                if (e.getKey().charAt(0) != ':') {
                    headers.merge(e.getKey().toString(), e.getValue().toString(), (a, b) -> a + ", " + b);
                }
            }
            Http2Headers head = r.head();
            return new Response(Integer.parseInt(head.status().toString()), headers, r.body());
        }
    }

    static String gunzip(byte[] body) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("not gzip", e);
        }
    }
}
