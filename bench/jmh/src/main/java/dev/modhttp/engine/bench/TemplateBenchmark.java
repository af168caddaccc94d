package dev.modhttp.engine.bench;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variables;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Variable templates: compiling one (done once per key at startup) and rendering it for a
 * request (done per request): request variables, a header, an argument and a cookie, as a
 * log format, a proxy-set-header or a rewrite target writes them.
 */
@State(Scope.Thread)
public class TemplateBenchmark extends EngineBenchmark {

    private static final String TEXT =
            "$request_method $scheme://$host$uri?$args \"$http_user_agent\" page=$arg_page session=$cookie_session";

    private final Variables variables = Variables.with(Map.of());
    private Template template;
    private HttpExchange exchange;

    @Setup
    public void setUp() {
        template = Template.compile(TEXT, variables);
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "www.example.com")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .add("Cookie", "theme=dark; session=4f2a9c1e7b");
        Request request = new Request("GET", "/shop/list?page=3&sort=price", HttpVersion.HTTP_1_1, headers,
                "www.example.com", "/shop/list", "page=3&sort=price", new InetSocketAddress("127.0.0.1", 50000),
                new InetSocketAddress("127.0.0.1", 8080), false);
        // the variables above read the request only
        exchange = (HttpExchange) Proxy.newProxyInstance(HttpExchange.class.getClassLoader(),
                new Class<?>[] {HttpExchange.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "request" -> request;
                    case "attribute" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        String line = template.render(exchange);
        if (!line.contains("page=3") || !line.contains("session=4f2a9c1e7b") || !line.contains("Firefox")) {
            throw new IllegalStateException("unexpected rendering: " + line);
        }
    }

    @Benchmark
    public Template compile() {
        return Template.compile(TEXT, variables);
    }

    @Benchmark
    public String render() {
        return template.render(exchange);
    }
}
