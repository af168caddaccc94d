package dev.modhttp.engine.nginxdiff;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.nginxdiff.Model.Config;
import dev.modhttp.engine.nginxdiff.Model.Request;
import dev.modhttp.engine.nginxdiff.RawHttpClient.Response;
import dev.modhttp.engine.nginxdiff.ResponseComparator.Deliberate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a batch of configurations on one nginx (one include file per configuration, reloaded
 * between batches) and one engine, each configuration on its own pair of loopback ports, and
 * sends every request on a fresh socket to both.
 *
 * <pre>
 *   batch ──► doc trees + include files ──► nginx -t (refusals, by file) ──► Engine.build (refusals)
 *         ──► nginx reload + engine start (configurations both accept) ──► requests, in parallel
 *         ──► disagreements sent again, slowly (a close seen late is not a difference)
 * </pre>
 */
final class DiffRunner implements AutoCloseable {

    record Case(Config config, List<Request> requests) {
    }

    /** One request's answers; kind null when they agree. */
    record Outcome(int requestIndex, Request request, String kind, Response nginx, Response engine, int nginxPort, int enginePort) {
    }

    /** A configuration's result: refusals at startup, or the outcome of each request. */
    record CaseResult(Case c, Optional<String> nginxRefusal, Optional<String> engineRefusal, List<Outcome> outcomes, int flaky) {
        String startupKind() {
            return ResponseComparator.startupKind(nginxRefusal, engineRefusal);
        }

        Optional<Deliberate> deliberate() {
            return ResponseComparator.Deliberate.ofStartup(nginxRefusal, engineRefusal);
        }
    }

    private static final Pattern NGINX_FILE = Pattern.compile(" in (\\S+/c(\\d+)/servers\\.conf):\\d+");

    private final Nginx nginx;
    private final Path work;
    private final ExecutorService pool;
    private final RawHttpClient fast = new RawHttpClient(1500, 15);
    private final RawHttpClient slow = new RawHttpClient(3000, 400);
    private final Map<Integer, Integer> portBatch = new HashMap<>();
    private final Random ports = new Random();
    private int batch;
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    /** Where the time went, in seconds per step of a batch. */
    String timings() {
        StringBuilder sb = new StringBuilder();
        nanos.forEach((k, v) -> sb.append(String.format("%s %.1f s, ", k, v / 1e9)));
        return sb.toString();
    }

    private long lap(String step, long since) {
        long now = System.nanoTime();
        nanos.merge(step, now - since, Long::sum);
        return now;
    }

    DiffRunner(Nginx nginx, Path work, int threads) {
        this.nginx = nginx;
        this.work = work;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "nginx-diff");
            t.setDaemon(true);
            return t;
        });
    }

    List<CaseResult> run(List<Case> cases) throws Exception {
        return run(cases, true);
    }

    /** With recheck false (while shrinking) a disagreement is taken as first seen. */
    List<CaseResult> run(List<Case> cases, boolean recheck) throws Exception {
        int b = batch++;
        long t = System.nanoTime();
        deleteTree(work.resolve("batch-" + (b - 2)));
        Path dir = work.resolve("batch-" + b);
        int n = cases.size();
        int[] nginxPorts = new int[n];
        int[] enginePorts = new int[n];
        Path[] docs = new Path[n];
        List<Path> includes = new ArrayList<>();
        Map<Map<String, String>, Path> trees = new HashMap<>();
        for (int i = 0; i < n; i++) {
            nginxPorts[i] = freePort(b);
            enginePorts[i] = freePort(b);
            Map<String, String> files = cases.get(i).config().files();
            docs[i] = trees.get(files);
            if (docs[i] == null) {
                // shrink candidates mostly share a tree: written once per batch
                docs[i] = dir.resolve("t" + trees.size());
                writeFiles(docs[i], files);
                trees.put(files, docs[i]);
            }
            Path include = dir.resolve("c" + i).resolve("servers.conf");
            Files.createDirectories(include.getParent());
            Files.writeString(include, NginxConfWriter.servers(cases.get(i).config(), docs[i], nginxPorts[i]));
            includes.add(include);
        }
        t = lap("files", t);
        Map<Integer, String> nginxRefused = nginxRefusals(dir, includes);
        t = lap("nginx -t", t);
        Map<Integer, String> engineRefused = new HashMap<>();
        List<Integer> accepted = new ArrayList<>();
        List<Map<String, Object>> engineServers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Map<String, Object>> servers = EngineTreeWriter.servers(cases.get(i).config(), docs[i], enginePorts[i]);
            try {
                Engine.builder().config(EngineTreeWriter.tree(servers)).build();
            } catch (RuntimeException e) {
                engineRefused.put(i, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (!nginxRefused.containsKey(i) && !engineRefused.containsKey(i)) {
                accepted.add(i);
                engineServers.addAll(servers);
            }
        }
        t = lap("engine build", t);
        nginx.load(NginxConfWriter.mainConf(nginx.dir(), accepted.stream().map(includes::get).toList(), isRoot()));
        nginx.awaitPorts(accepted.stream().map(i -> nginxPorts[i]).toList());
        Engine engine = accepted.isEmpty() ? null
                : Engine.builder().config(EngineTreeWriter.tree(engineServers)).ioThreads(2).build().start();
        t = lap("start", t);
        List<CaseResult> results = new ArrayList<>();
        try {
            Map<Integer, List<Future<Outcome>>> futures = new LinkedHashMap<>();
            for (int i : accepted) {
                List<Future<Outcome>> fs = new ArrayList<>();
                List<Request> rs = cases.get(i).requests();
                for (int j = 0; j < rs.size(); j++) {
                    int np = nginxPorts[i];
                    int ep = enginePorts[i];
                    int index = j;
                    fs.add(pool.submit(() -> exchange(fast, index, rs.get(index), np, ep)));
                }
                futures.put(i, fs);
            }
            // a disagreement is sent again with time to see a late close: only what repeats counts
            Map<Integer, List<Future<Outcome>>> checked = new LinkedHashMap<>();
            for (Map.Entry<Integer, List<Future<Outcome>>> e : futures.entrySet()) {
                List<Future<Outcome>> fs = new ArrayList<>();
                for (Future<Outcome> f : e.getValue()) {
                    Outcome o = f.get();
                    // a close seen late or a slow answer gets time; the rest is only sent again
                    RawHttpClient client = o.kind() != null && o.kind().matches(".*(connection|timeout|no-response).*") ? slow : fast;
                    fs.add(o.kind() == null || !recheck ? CompletableFuture.completedFuture(o) : pool.submit(
                            () -> exchange(client, o.requestIndex(), o.request(), o.nginxPort(), o.enginePort())));
                }
                checked.put(e.getKey(), fs);
            }
            for (int i = 0; i < n; i++) {
                List<Outcome> outcomes = new ArrayList<>();
                int flaky = 0;
                List<Future<Outcome>> first = futures.getOrDefault(i, List.of());
                List<Future<Outcome>> second = checked.getOrDefault(i, List.of());
                for (int j = 0; j < first.size(); j++) {
                    Outcome o = second.get(j).get();
                    if (first.get(j).get().kind() != null && o.kind() == null) {
                        flaky++;
                    }
                    outcomes.add(o);
                }
                results.add(new CaseResult(cases.get(i), Optional.ofNullable(nginxRefused.get(i)),
                        Optional.ofNullable(engineRefused.get(i)), outcomes, flaky));
            }
        } finally {
            t = lap("requests", t);
            if (engine != null) {
                engine.stop(Duration.ofMillis(200));
            }
            lap("stop", t);
        }
        return results;
    }

    private static Outcome exchange(RawHttpClient client, int index, Request r, int nginxPort, int enginePort) {
        byte[] bytes = r.bytes();
        Response n = client.exchange(nginxPort, bytes, r.isHead());
        Response e = client.exchange(enginePort, bytes, r.isHead());
        return new Outcome(index, r, ResponseComparator.kind(r, n, e, nginxPort, enginePort), n, e, nginxPort, enginePort);
    }

    /** nginx -t over all include files; a refused configuration is named by its file, dropped, and the rest tested again. */
    private Map<Integer, String> nginxRefusals(Path dir, List<Path> includes) throws IOException {
        Map<Integer, String> refused = new HashMap<>();
        Path conf = dir.resolve("nginx-test.conf");
        while (true) {
            List<Path> remaining = new ArrayList<>();
            for (int i = 0; i < includes.size(); i++) {
                if (!refused.containsKey(i)) {
                    remaining.add(includes.get(i));
                }
            }
            Files.writeString(conf, NginxConfWriter.mainConf(nginx.dir(), remaining, isRoot()));
            Optional<String> error = nginx.test(conf);
            if (error.isEmpty()) {
                return refused;
            }
            Matcher m = NGINX_FILE.matcher(error.get());
            if (!m.find() || !m.group(1).startsWith(dir.toString())) {
                throw new IllegalStateException("nginx refuses the batch without naming a configuration:\n" + error.get());
            }
            String line = error.get().lines().filter(l -> l.contains("[emerg]")).findFirst().orElse(error.get());
            refused.put(Integer.parseInt(m.group(2)), line.replace(dir.toString(), "").replaceFirst("^nginx: ", ""));
        }
    }

    private int freePort(int b) {
        while (true) {
            int port = 20000 + ports.nextInt(12000); // below the ephemeral range our clients use
            Integer used = portBatch.get(port);
            if (used != null && b - used < 3) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                continue;
            }
            portBatch.put(port, b);
            return port;
        }
    }

    static void writeFiles(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            if (f.getKey().endsWith("/")) {
                Files.createDirectories(p);
            } else {
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            }
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
