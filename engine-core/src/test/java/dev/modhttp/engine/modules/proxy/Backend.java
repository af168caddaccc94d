package dev.modhttp.engine.modules.proxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend for the proxy's tests: the JDK's HTTP server on port 0. {@code /echo...}
 * answers with what it received (request target, header fields, body); {@code /status/N}
 * answers N; everything else answers {@code name}. It counts the connections it accepted.
 */
final class Backend implements AutoCloseable {

    final String name;
    final HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    final ConcurrentLinkedQueue<String> targets = new ConcurrentLinkedQueue<>();

    Backend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String target = ex.getRequestURI().toString();
            targets.add(target);
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getRawPath();
            int status = 200;
            String text;
            if (path.startsWith("/status/")) {
                status = Integer.parseInt(path.substring("/status/".length()));
                text = name + " " + status;
            } else if (path.startsWith("/redirect")) {
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + port()
                        + (path.startsWith("/redirect/") ? "/redirect/there" : "/x/there"));
                status = 302;
                text = "";
            } else if (path.contains("echo")) {
                StringBuilder sb = new StringBuilder();
                sb.append(ex.getRequestMethod()).append(' ').append(target).append('\n');
                for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                    for (String v : h.getValue()) {
                        sb.append(h.getKey().toLowerCase()).append(": ").append(v).append('\n');
                    }
                }
                sb.append('\n').append(new String(body, StandardCharsets.ISO_8859_1));
                text = sb.toString();
            } else {
                text = name;
            }
            ex.getResponseHeaders().add("X-Backend", name);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            byte[] out = text.getBytes(StandardCharsets.ISO_8859_1);
            boolean noBody = status == 204 || status == 304 || ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(status, noBody ? -1 : out.length == 0 ? -1 : out.length);
            try (OutputStream os = ex.getResponseBody()) {
                if (!noBody) {
                    os.write(out);
                }
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
