package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.modhttp.boot.readme.Readme;
import dev.modhttp.boot.readme.Readme.Block;
import dev.modhttp.engine.Engine;
import dev.modhttp.engine.config.ConfigReference;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.modules.actuator.ActuatorModule;
import dev.modhttp.engine.modules.websocket.WebSocketEndpoint;
import dev.modhttp.engine.modules.websocket.WebSocketModule;
import dev.modhttp.engine.module.Module;
import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * Every example in README.md is a test: the quick start's blocks are the sample project's files,
 * every YAML block binds and builds an engine, every Java block compiles, and each
 * troubleshooting block is what the engine prints. The quick start itself runs in
 * {@code QuickstartIT}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReadmeTests {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
    }

    static Stream<Block> yamlBlocks() {
        return Readme.blocks().stream().filter(b -> b.language().equals("yaml") && b.marked("startup fails") == null);
    }

    static Stream<Block> javaBlocks() {
        return Readme.blocks().stream().filter(b -> b.language().equals("java"));
    }

    @Test
    void theQuickStartShowsTheSampleProjectsFilesAsTheyAre() {
        List<Block> fromFiles = Readme.blocks().stream()
                .filter(b -> b.marked("file") != null || b.marked("excerpt") != null).toList();
        assertThat(fromFiles).extracting(b -> b.marker()).contains(
                "excerpt: samples/quickstart/pom.xml",
                "file: samples/quickstart/src/main/resources/application.yml",
                "file: samples/quickstart/src/main/java/com/example/quickstart/QuickstartApplication.java");
        for (Block block : fromFiles) {
            if (block.marked("file") != null) {
                assertThat(block.text()).as(block + " is the file").isEqualTo(
                        Readme.read(Readme.root().resolve(block.marked("file"))));
            } else {
                assertThat(trimmedLines(Readme.read(Readme.root().resolve(block.marked("excerpt")))))
                        .as(block + " appears in the file, indentation aside").containsSequence(trimmedLines(block.text()));
            }
        }
    }

    private static List<String> trimmedLines(String text) {
        return Arrays.stream(text.split("\n")).map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("yamlBlocks")
    void everyYamlBlockBindsAndBuildsAnEngine(Block block, @TempDir Path dir) throws Exception {
        Map<String, Object> tree = tree(block.toString(), withCertificates(block.text(), dir));
        assertThat(tree).as(block + " configures the engine").isNotEmpty();
        // with the variables the starter adds ($trace_id, $span_id), and an endpoint for the WebSocket example
        assertThat(Engine.builder().config(tree).defaultListen("0").module(new TraceVariables())
                .module(new WebSocketModule(Map.of("chat", new WebSocketEndpoint() { }))).build().config().servers())
                .isNotEmpty();
    }

    private static Map<String, Object> tree(String name, String yaml) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        new YamlPropertySourceLoader().load(name, new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))
                .forEach(environment.getPropertySources()::addLast);
        return EngineConfigTree.read(environment);
    }

    /** A block naming {@code certs/example.com.crt} and {@code .key} gets that pair, made by openssl in {@code dir}. */
    static String withCertificates(String yaml, Path dir) throws Exception {
        if (!yaml.contains("certs/")) {
            return yaml;
        }
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", certs.resolve("example.com.key").toString(), "-out", certs.resolve("example.com.crt").toString(),
                "-days", "2", "-subj", "/CN=example.com", "-addext", "subjectAltName=DNS:example.com,DNS:localhost")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl: " + out).isTrue();
        return yaml.replace("certs/", certs + "/");
    }

    /** The Spring SSL bundle example as an application.yml (server.port 0): HTTP/2 over TLS as the README says. */
    @Test
    void theSslBundleExampleRunsAsAnApplication(@TempDir Path dir) throws Exception {
        Block block = yamlBlocks().filter(b -> b.text().contains("bundle: web")).findFirst().orElseThrow();
        Path yml = dir.resolve("application.yml");
        Files.writeString(yml, withCertificates(block.text(), dir).replace("port: 8443", "port: 0"));
        SpringApplication app = new SpringApplication(EngineSslTests.App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (var context = app.run("--spring.config.location=file:" + yml)) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            HttpClient client = HttpClient.newBuilder().sslContext(trustAll()).version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/"))
                    .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).isEqualTo("HTTP/2.0 over TLSv1.3");
        }
    }

    /** What curl -k does: trusts any certificate. */
    static SSLContext trustAll() throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return trustAll;
    }

    /** The TLS example, on free ports: HTTP/2 by ALPN answers as the README says, and the plain server redirects. */
    @Test
    void theTlsExampleAnswersOverHttp2AndThePlainServerRedirects(@TempDir Path dir) throws Exception {
        Block block = yamlBlocks().filter(b -> b.text().contains("8443 ssl")).findFirst().orElseThrow();
        String yaml = withCertificates(block.text(), dir).replace("[\"8080\"]", "[\"127.0.0.1:0\"]")
                .replace("[\"8443 ssl\"]", "[\"localhost:0 ssl\"]");
        Engine engine = Engine.builder().config(tree(block.toString(), yaml)).build().start();
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(trustAll()).version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + engine.ports().get(1) + "/")).build(), BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).isEqualTo("HTTP/2.0 over TLSv1.3");
            HttpResponse<String> redirect = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + engine.ports().get(0) + "/a?b")).build(), BodyHandlers.ofString());
            assertThat(redirect.statusCode()).isEqualTo(301);
            assertThat(redirect.headers().firstValue("Location")).hasValue("https://127.0.0.1:8443/a?b");
        } finally {
            engine.stop(Duration.ofSeconds(2));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaBlocks")
    void everyJavaBlockCompiles(Block block, @TempDir Path dir) throws IOException {
        compile(block, dir);
    }

    /** Compiles a README block (a whole file) into {@code dir/classes}; returns its public type's name. */
    private static String compile(Block block, Path dir) throws IOException {
        Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(block.text());
        Matcher type = Pattern.compile("(?m)^public (?:final )?(?:class|record|interface|enum) (\\w+)")
                .matcher(block.text());
        assertThat(pkg.find() && type.find()).as(block + " is a whole file: a package and a public type").isTrue();
        Path source = dir.resolve(pkg.group(1).replace('.', '/')).resolve(type.group(1) + ".java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, block.text());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        boolean compiled = javac.getTask(errors, null, null, List.of("-d", dir.resolve("classes").toString(),
                "-classpath", System.getProperty("java.class.path"), "-proc:none"), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile())).call();
        assertThat(compiled).as(block + " compiles:\n" + errors).isTrue();
        return pkg.group(1) + "." + type.group(1);
    }

    @Test
    void theModuleExampleRefusesRequestsWithoutTheKeyWhereItIsConfigured(@TempDir Path dir) throws Exception {
        Block block = javaBlocks().filter(b -> b.text().contains("implements Module")).findFirst().orElseThrow();
        String type = compile(block, dir);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()},
                getClass().getClassLoader())) {
            Module module = (Module) loader.loadClass(type).getConstructor().newInstance();
            Path www = Files.createDirectories(dir.resolve("www/api"));
            Files.writeString(www.resolve("x"), "secret data");
            // the README's words: api-key: {header: X-Api-Key, value: s3cret} (return would answer before ACCESS)
            Engine engine = Engine.builder().module(module).config(Map.of("servers", List.of(Map.of(
                    "listen", List.of("127.0.0.1:0"),
                    "root", dir.resolve("www").toString(),
                    "locations", List.of(
                            Map.of("location", "/api/", "api-key", Map.of("header", "X-Api-Key", "value", "s3cret")),
                            Map.of("location", "/", "return", "200 open")))))).build().start();
            try {
                String base = "http://127.0.0.1:" + engine.ports().get(0);
                HttpClient client = HttpClient.newHttpClient();
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/api/x")).build(),
                        BodyHandlers.ofString()).statusCode()).isEqualTo(403);
                HttpResponse<String> keyed = client.send(HttpRequest.newBuilder(URI.create(base + "/api/x"))
                        .header("X-Api-Key", "s3cret").build(), BodyHandlers.ofString());
                assertThat(keyed.statusCode()).isEqualTo(200);
                assertThat(keyed.body()).isEqualTo("secret data");
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/other")).build(),
                        BodyHandlers.ofString()).body()).isEqualTo("open");
            } finally {
                engine.stop(Duration.ZERO);
            }
        }
    }

    @Test
    void eachStartupFailureInTroubleshootingPrintsWhatTheReadmeShows(CapturedOutput output, @TempDir Path dir)
            throws Exception {
        List<Block> blocks = Readme.blocks();
        SoftAssertions each = new SoftAssertions();
        int checked = 0;
        for (int i = 0; i < blocks.size(); i++) {
            Block config = blocks.get(i);
            if (config.marked("startup fails") == null) {
                continue;
            }
            Block printed = blocks.get(i + 1);
            assertThat(printed.language()).as("the block after " + config + " shows the output").isEqualTo("text");
            Path resources = Files.createDirectories(dir.resolve("case" + i));
            Files.writeString(resources.resolve("application.yml"), config.text());
            int before = output.getOut().length();
            try (URLClassLoader loader = new URLClassLoader(new URL[] {resources.toUri().toURL()},
                    getClass().getClassLoader())) {
                SpringApplication app = new SpringApplication(new DefaultResourceLoader(loader), App.class);
                app.setWebApplicationType(WebApplicationType.NONE);
                assertThat(catchThrowable(() -> app.run("--server.port=0").close())).as(config + " fails").isNotNull();
            }
            each.assertThat(output.getOut().substring(before)).as(config.marked("startup fails"))
                    .contains(printed.text().strip());
            checked++;
        }
        each.assertAll();
        assertThat(checked).as("troubleshooting examples").isGreaterThanOrEqualTo(2);
    }

    @Test
    void aPortInUseIsReportedAsTroubleshootingShows(CapturedOutput output) throws Exception {
        Block printed = Readme.blocks().stream().filter(b -> b.marked("port 8080 in use") != null).findFirst()
                .orElseThrow(() -> new AssertionError("README.md shows no <!-- port 8080 in use: --> output"));
        try (ServerSocket taken = new ServerSocket(0)) {
            SpringApplication app = new SpringApplication(App.class);
            app.setWebApplicationType(WebApplicationType.NONE);
            assertThat(catchThrowable(() -> app.run("--server.port=" + taken.getLocalPort()).close())).isNotNull();
            assertThat(output.getOut()).contains(
                    printed.text().strip().replace("8080", String.valueOf(taken.getLocalPort())));
        }
    }

    @Test
    void theConfigurationReferenceIsTheOneTheConfigRecordsGive() throws IOException {
        // the actuator module comes with the starter's Actuator support
        List<ConfigSpec<?>> specs = Engine.builder().module(new ActuatorModule(Map.of()))
                .module(new WebSocketModule(Map.of())).build().configSpecs();
        String generated = ConfigReference.markdown(ConfigReference.rows(specs));
        Path readme = Readme.root().resolve("README.md");
        String text = Files.readString(readme);
        int start = text.indexOf("| key |", text.indexOf("## Configuration reference"));
        int end = text.indexOf("\n\n", start) + 1;
        if (Boolean.getBoolean("engine.readme.write")) {
            Files.writeString(readme, text.substring(0, start) + generated + text.substring(end));
            text = Files.readString(readme);
        }
        assertThat(text.substring(start, text.indexOf("\n\n", start) + 1))
                .as("README.md's reference is stale: run this test with -Dengine.readme.write=true").isEqualTo(generated);
    }

    /** What the reference's examples may rely on, at main scope, unless the example is that key. */
    private static final Map<String, String> REFERENCE_CONTEXT = Map.of(
            "limit-req-zone", "[\"$binary_remote_addr zone=perip:10m rate=10r/s\"]",
            "limit-conn-zone", "[\"$binary_remote_addr zone=addr:10m\"]",
            "log-format", "{ main: '$remote_addr \"$request\" $status' }");

    /** Backticked shapes in the reference that describe a syntax rather than give a value. */
    private static final Pattern SYNTAX = Pattern.compile("\\{ *\\w+(, *\\w+)* *}|\\{S*SHA}|.*\\[host.*");

    @Test
    void everyExampleValueInTheConfigurationReferenceBindsAtItsKey(@TempDir Path dir) throws IOException {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "bob:{SHA}fEqNCco3Yq9h5ZUglD3CZJT4lBs=\n");
        SoftAssertions each = new SoftAssertions();
        int checked = 0;
        for (String[] cells : Readme.referenceRows()) {
            Matcher keyMatch = Pattern.compile("`([a-z0-9-]+)`").matcher(cells[1]);
            keyMatch.find();
            String key = keyMatch.group(1);
            String scope = cells[2].split(",")[0].trim();
            Matcher example = Pattern.compile("`([\\[{\"][^`]*)`").matcher(cells[3] + " " + cells[4]);
            while (example.find()) {
                // absolute example paths point into a temporary directory here
                String value = example.group(1).replace("/var/log/app", dir.toString());
                if (SYNTAX.matcher(value).matches()) {
                    continue;
                }
                StringBuilder context = new StringBuilder("engine:\n");
                REFERENCE_CONTEXT.forEach((k, v) -> {
                    if (!k.equals(key)) {
                        context.append("  ").append(k).append(": ").append(v).append('\n');
                    }
                });
                // auth-basic needs its file, at the same scope
                String extra = key.equals("auth-basic") ? "\n" + "auth-basic-user-file: " + htpasswd : "";
                String yaml = context + switch (scope) {
                    case "main" -> "  " + key + ": " + value + extra.replace("\n", "\n  ")
                            + "\n  servers: [{ listen: [\"127.0.0.1:0\"] }]\n";
                    case "server" -> "  servers:\n    - listen: [\"127.0.0.1:0\"]\n      " + key + ": " + value
                            + extra.replace("\n", "\n      ") + "\n";
                    default -> "  servers:\n    - listen: [\"127.0.0.1:0\"]\n      locations:\n        - location: /\n"
                            + "          " + key + ": " + value + extra.replace("\n", "\n          ") + "\n";
                };
                try {
                    StandardEnvironment environment = new StandardEnvironment();
                    new YamlPropertySourceLoader().load(key, new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))
                            .forEach(environment.getPropertySources()::addLast);
                    Engine.builder().config(EngineConfigTree.read(environment)).defaultListen("0")
                            .module(new WebSocketModule(Map.of("chat", new WebSocketEndpoint() { }))).build();
                } catch (RuntimeException e) {
                    each.fail("README reference, " + key + ": `" + value + "` does not bind: " + e.getMessage());
                }
                checked++;
            }
        }
        each.assertAll();
        assertThat(checked).as("examples in the reference").isGreaterThan(20);
    }
}
