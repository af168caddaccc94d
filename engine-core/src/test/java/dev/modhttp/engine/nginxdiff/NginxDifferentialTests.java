package dev.modhttp.engine.nginxdiff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.nginxdiff.DiffRunner.Case;
import dev.modhttp.engine.nginxdiff.DiffRunner.CaseResult;
import dev.modhttp.engine.nginxdiff.DiffRunner.Outcome;
import dev.modhttp.engine.nginxdiff.Model.Config;
import dev.modhttp.engine.nginxdiff.Model.Request;
import dev.modhttp.engine.nginxdiff.ResponseComparator.Deliberate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The engine against a real nginx on generated configurations and requests (see
 * {@link Generator}). Bounded by default; {@code tools/nginx-diff.sh} runs the long variant
 * through the same code. System properties:
 *
 * <table>
 *   <caption>Properties</caption>
 *   <tr><td>nginx.diff.seed</td><td>1</td><td>the generator's seed</td></tr>
 *   <tr><td>nginx.diff.configs</td><td>30</td><td>configurations generated</td></tr>
 *   <tr><td>nginx.diff.requests</td><td>200</td><td>requests per configuration</td></tr>
 *   <tr><td>nginx.diff.only</td><td>none</td><td>only this configuration index (to reproduce one)</td></tr>
 *   <tr><td>nginx.diff.batch</td><td>50</td><td>configurations per nginx reload / engine</td></tr>
 *   <tr><td>nginx.diff.shrink-seconds</td><td>15</td><td>time for shrinking, one example per kind</td></tr>
 * </table>
 *
 * A report goes to {@code target/nginx-diff/report.txt}; the test fails listing every kind of
 * disagreement with its smallest example.
 */
class NginxDifferentialTests {

    private static final int MAX_SHRUNK_KINDS = 25;

    @Test
    void engineAnswersGeneratedRequestsAsNginxDoes() throws Exception {
        long seed = Long.getLong("nginx.diff.seed", 1);
        int configs = Integer.getInteger("nginx.diff.configs", 30);
        int requests = Integer.getInteger("nginx.diff.requests", 200);
        int batchSize = Integer.getInteger("nginx.diff.batch", 50);
        Integer only = Integer.getInteger("nginx.diff.only");
        int shrinkSeconds = Integer.getInteger("nginx.diff.shrink-seconds", 15);
        Path out = Path.of("target", "nginx-diff").toAbsolutePath();
        DiffRunner.deleteTree(out);
        Files.createDirectories(out);
        long started = System.nanoTime();

        Generator generator = new Generator(seed);
        Totals totals = new Totals();
        StringBuilder report = new StringBuilder();
        String version;
        try (Nginx nginx = Nginx.installed(out.resolve("nginx")); DiffRunner runner = new DiffRunner(nginx, out.resolve("work"), 32)) {
            version = nginx.version();
            List<Integer> indices = new ArrayList<>();
            for (int i = 0; i < configs; i++) {
                if (only == null || only == i) {
                    indices.add(i);
                }
            }
            for (int from = 0; from < indices.size(); from += batchSize) {
                List<Case> batch = new ArrayList<>();
                for (int i : indices.subList(from, Math.min(indices.size(), from + batchSize))) {
                    Config c = generator.config(i);
                    List<Request> rs = new ArrayList<>();
                    for (int j = 0; j < requests; j++) {
                        rs.add(generator.request(c, j));
                    }
                    batch.add(new Case(c, rs));
                }
                runner.run(batch).forEach(totals::add);
            }
            long compared = System.nanoTime();
            totals.compareSeconds = (compared - started) / 1e9;
            Shrinker shrinker = new Shrinker(runner);
            List<Shrinker.Item> items = new ArrayList<>();
            totals.byKind().keySet().stream().limit(MAX_SHRUNK_KINDS).forEach(k -> {
                Example ex = totals.examples.get(k).get(0);
                items.add(new Shrinker.Item(ex.config, ex.outcome == null ? null : ex.outcome.request(), k));
            });
            shrinker.shrink(items, System.nanoTime() + TimeUnit.SECONDS.toNanos(shrinkSeconds));
            totals.shrinkSeconds = (System.nanoTime() - compared) / 1e9;
            report.append(totals.summary(seed, version));
            report.append("NGINX-DIFF time by step: ").append(runner.timings()).append('\n');
            for (Shrinker.Item it : items) {
                report.append(describe(totals, it));
            }
        }
        Files.writeString(out.resolve("report.txt"), report, StandardCharsets.UTF_8);
        System.out.println(report);
        assertThat(totals.disagreements)
                .as("disagreements with nginx (report: %s)%n%s", out.resolve("report.txt"), report)
                .isZero();
    }

    private static String describe(Totals t, Shrinker.Item it) {
        StringBuilder sb = new StringBuilder();
        List<Example> exs = t.examples.get(it.kind);
        sb.append("\n=== ").append(it.kind).append("  (").append(t.byKind().get(it.kind)).append(" times)\n");
        sb.append("first seen: ").append(exs.get(0).where()).append("; also: ");
        exs.stream().skip(1).limit(4).forEach(e -> sb.append(e.where()).append("; "));
        sb.append("\nsmallest (after ").append(it.steps).append(" shrinking steps):\n");
        Path docs = Path.of("/DOCS");
        sb.append("--- nginx (inside http {}; DOCS is the document tree):\n")
                .append(NginxConfWriter.servers(it.config, docs, 8080));
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setWidth(200);
        sb.append("--- engine:\n").append(new Yaml(o).dump(EngineTreeWriter.tree(EngineTreeWriter.servers(it.config, docs, 8080))));
        sb.append("--- files: ").append(String.join(", ", it.config.files().keySet())).append('\n');
        if (it.request == null) {
            CaseResult r = it.lastStartup != null ? it.lastStartup : exs.get(0).result;
            sb.append("--- nginx: ").append(r.nginxRefusal().orElse("accepts")).append('\n');
            sb.append("--- engine: ").append(r.engineRefusal().orElse("accepts")).append('\n');
        } else {
            Outcome o2 = it.last != null ? it.last : exs.get(0).outcome;
            sb.append("--- request: ").append(it.request.show()).append('\n');
            sb.append("--- nginx:  ").append(o2.nginx().show()).append('\n');
            sb.append("--- engine: ").append(o2.engine().show()).append('\n');
        }
        return sb.toString();
    }

    /** One disagreement as first seen. */
    record Example(Config config, Outcome outcome, CaseResult result) {
        String where() {
            return config.name() + (outcome == null ? "" : " request=" + outcome.requestIndex());
        }
    }

    /** Counts over the run. */
    static final class Totals {
        int configs;
        int bothAccept;
        int bothRefuse;
        int requests;
        int disagreements;
        int flaky;
        double compareSeconds;
        double shrinkSeconds;
        final Map<String, Integer> counts = new TreeMap<>();
        final Map<String, Integer> deliberate = new TreeMap<>();
        final Map<String, Integer> refusals = new TreeMap<>();
        final Map<String, List<Example>> examples = new LinkedHashMap<>();

        void add(CaseResult r) {
            configs++;
            String startup = r.startupKind();
            if (r.nginxRefusal().isPresent() && r.engineRefusal().isPresent()) {
                bothRefuse++;
                refusals.merge(reason(r.nginxRefusal().get()), 1, Integer::sum);
            } else if (startup != null) {
                java.util.Optional<Deliberate> d = r.deliberate();
                if (d.isPresent()) {
                    deliberate.merge(d.get().name() + " (" + d.get().reason + ")", 1, Integer::sum);
                } else {
                    note(startup, new Example(r.c().config(), null, r));
                }
            } else {
                bothAccept++;
                flaky += r.flaky();
                for (Outcome o : r.outcomes()) {
                    requests++;
                    if (o.kind() != null && o.kind().startsWith(ResponseComparator.DELIBERATE)) {
                        Deliberate d = Deliberate.valueOf(o.kind().substring(ResponseComparator.DELIBERATE.length()));
                        deliberate.merge(d.name() + " (" + d.reason + ")", 1, Integer::sum);
                    } else if (o.kind() != null) {
                        note(o.kind(), new Example(r.c().config(), o, r));
                    }
                }
            }
        }

        private void note(String kind, Example e) {
            disagreements++;
            counts.merge(kind, 1, Integer::sum);
            List<Example> l = examples.computeIfAbsent(kind, k -> new ArrayList<>());
            if (l.size() < 5) {
                l.add(e);
            }
        }

        /** nginx's complaint without the names in it. */
        private static String reason(String nginxMessage) {
            return nginxMessage.replaceAll("\"[^\"]*\"", "\"..\"").replaceAll(" in \\S+:\\d+$", "");
        }

        /** Kinds, most frequent first. */
        Map<String, Integer> byKind() {
            Map<String, Integer> m = new LinkedHashMap<>();
            counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                    .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        }

        String summary(long seed, String version) {
            StringBuilder sb = new StringBuilder();
            sb.append("NGINX-DIFF against ").append(version).append(", seed ").append(seed).append('\n');
            sb.append("NGINX-DIFF configurations: ").append(configs).append(" (both accept ").append(bothAccept)
                    .append(", both refuse ").append(bothRefuse).append(", one refuses ")
                    .append(configs - bothAccept - bothRefuse).append(")\n");
            sb.append("NGINX-DIFF requests compared: ").append(requests).append('\n');
            sb.append("NGINX-DIFF disagreements: ").append(disagreements).append(" (")
                    .append(flaky).append(" more did not repeat and were dropped)\n");
            sb.append(String.format("NGINX-DIFF time: %.1f s comparing, %.1f s shrinking%n", compareSeconds, shrinkSeconds));
            byKind().forEach((k, v) -> sb.append(String.format("NGINX-DIFF kind %6d  %s%n", v, k)));
            deliberate.forEach((k, v) -> sb.append(String.format("NGINX-DIFF deliberate %6d  %s%n", v, k)));
            refusals.forEach((k, v) -> sb.append(String.format("NGINX-DIFF both refuse %6d  %s%n", v, k)));
            return sb.toString();
        }
    }
}
