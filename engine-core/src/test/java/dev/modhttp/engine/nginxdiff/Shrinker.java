package dev.modhttp.engine.nginxdiff;

import dev.modhttp.engine.nginxdiff.DiffRunner.Case;
import dev.modhttp.engine.nginxdiff.DiffRunner.CaseResult;
import dev.modhttp.engine.nginxdiff.DiffRunner.Outcome;
import dev.modhttp.engine.nginxdiff.Model.Config;
import dev.modhttp.engine.nginxdiff.Model.Loc;
import dev.modhttp.engine.nginxdiff.Model.Request;
import dev.modhttp.engine.nginxdiff.Model.Server;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Makes disagreements small: drops servers, locations, directives, server names and files,
 * and shortens the request, keeping a step only when the same kind of disagreement remains.
 * The candidates of one step of every disagreement being shrunk run as one batch.
 */
final class Shrinker {

    /** A disagreement being shrunk: its configuration, its request (null for a startup kind) and its kind. */
    static final class Item {
        Config config;
        Request request;
        final String kind;
        CaseResult lastStartup;
        Outcome last;
        int steps;

        Item(Config config, Request request, String kind) {
            this.config = config;
            this.request = request;
            this.kind = kind;
        }
    }

    private static final int MAX_BATCH = 200;

    private final DiffRunner runner;

    Shrinker(DiffRunner runner) {
        this.runner = runner;
    }

    /** One candidate step: the case that tries it and which of its requests. */
    private record Step(int caseIndex, int requestIndex, Config config, Request request) {
    }

    /**
     * Shrinks all items together, round by round, until none can shrink or the time is over.
     * Each configuration candidate is a case of its own; the request candidates of an item share
     * one case, its configuration unchanged.
     */
    void shrink(List<Item> items, long deadlineNanos) throws Exception {
        List<Item> active = new ArrayList<>(items);
        while (!active.isEmpty() && System.nanoTime() < deadlineNanos) {
            List<Case> batch = new ArrayList<>();
            Map<Item, List<Step>> plan = new LinkedHashMap<>();
            List<Item> waiting = new ArrayList<>();
            for (Item it : active) {
                if (batch.size() >= MAX_BATCH) {
                    waiting.add(it); // its turn comes next round
                    continue;
                }
                List<Step> steps = new ArrayList<>();
                for (Config c : configCandidates(it.config)) {
                    batch.add(new Case(c, it.request == null ? List.of() : List.of(it.request)));
                    steps.add(new Step(batch.size() - 1, 0, c, it.request));
                }
                List<Request> requests = it.request == null ? List.of() : requestCandidates(it.request);
                if (!requests.isEmpty()) {
                    batch.add(new Case(it.config, requests));
                    for (int j = 0; j < requests.size(); j++) {
                        steps.add(new Step(batch.size() - 1, j, it.config, requests.get(j)));
                    }
                }
                plan.put(it, steps);
            }
            if (batch.isEmpty()) {
                return;
            }
            List<CaseResult> results = runner.run(batch, false);
            List<Item> next = new ArrayList<>(waiting);
            for (Map.Entry<Item, List<Step>> e : plan.entrySet()) {
                Item it = e.getKey();
                for (Step step : e.getValue()) {
                    CaseResult r = results.get(step.caseIndex());
                    Outcome o = it.request == null || r.outcomes().isEmpty() ? null : r.outcomes().get(step.requestIndex());
                    boolean same = it.request == null ? it.kind.equals(r.startupKind())
                            : r.startupKind() == null && o != null && it.kind.equals(o.kind());
                    if (same) {
                        it.config = step.config();
                        it.request = step.request();
                        it.lastStartup = r;
                        it.last = o;
                        it.steps++;
                        next.add(it);
                        break;
                    }
                }
            }
            active = next;
        }
    }

    // ---------------------------------------------------------------- configuration candidates

    static List<Config> configCandidates(Config c) {
        List<Config> out = new ArrayList<>();
        List<Server> ss = c.servers();
        // big steps first: the greedy loop takes the first candidate that keeps the kind
        for (int i = 0; i < ss.size() && ss.size() > 1; i++) {
            out.add(new Config(c.seed(), c.index(), List.of(ss.get(i)), c.files()));
        }
        if (!c.files().isEmpty()) {
            out.add(new Config(c.seed(), c.index(), ss, Map.of()));
        }
        for (int i = 0; i < ss.size(); i++) {
            Server s = ss.get(i);
            if (!s.locations().isEmpty()) {
                out.add(withServer(c, i, s.with(s.names(), s.directives(), List.of())));
                List<Loc> bare = bare(s.locations());
                if (!bare.equals(s.locations())) {
                    out.add(withServer(c, i, s.with(s.names(), s.directives(), bare)));
                }
            }
            if (!s.directives().isEmpty()) {
                out.add(withServer(c, i, s.with(s.names(), List.of(), s.locations())));
            }
        }
        for (int i = 0; i < ss.size() && ss.size() > 1; i++) {
            out.add(new Config(c.seed(), c.index(), Model.without(ss, i), c.files()));
        }
        for (int i = 0; i < ss.size(); i++) {
            Server s = ss.get(i);
            int si = i;
            for (List<Loc> ls : locationCandidates(s.locations())) {
                out.add(withServer(c, si, s.with(s.names(), s.directives(), ls)));
            }
            for (int d = 0; d < s.directives().size(); d++) {
                out.add(withServer(c, si, s.with(s.names(), Model.without(s.directives(), d), s.locations())));
            }
            for (List<Loc> ls : directiveCandidates(s.locations())) {
                out.add(withServer(c, si, s.with(s.names(), s.directives(), ls)));
            }
            for (int n = 0; n < s.names().size() && s.names().size() > 1; n++) {
                out.add(withServer(c, si, s.with(Model.without(s.names(), n), s.directives(), s.locations())));
            }
            if (s.defaultServer()) {
                out.add(withServer(c, si, new Server(s.id(), s.names(), false, s.directives(), s.locations())));
            }
        }
        List<String> files = new ArrayList<>(c.files().keySet());
        if (files.size() > 6) {
            out.add(withFiles(c, files.subList(0, files.size() / 2)));
            out.add(withFiles(c, files.subList(files.size() / 2, files.size())));
        } else {
            for (int i = 0; i < files.size(); i++) {
                out.add(withFiles(c, Model.without(files, i)));
            }
        }
        return out;
    }

    /** The locations without any directive. */
    private static List<Loc> bare(List<Loc> ls) {
        return ls.stream().map(l -> l.with(List.of(), bare(l.children()))).toList();
    }

    /** The location list with one location dropped (children and all), anywhere in the tree. */
    private static List<List<Loc>> locationCandidates(List<Loc> ls) {
        List<List<Loc>> out = new ArrayList<>();
        for (int i = 0; i < ls.size(); i++) {
            out.add(Model.without(ls, i));
        }
        for (int i = 0; i < ls.size(); i++) {
            Loc l = ls.get(i);
            if (!l.children().isEmpty()) {
                int at = i;
                mapChildren(out, ls, at, locationCandidates(l.children()), cs -> l.with(l.directives(), cs));
            }
        }
        return out;
    }

    private static List<List<Loc>> directiveCandidates(List<Loc> ls) {
        List<List<Loc>> out = new ArrayList<>();
        for (int i = 0; i < ls.size(); i++) {
            Loc l = ls.get(i);
            for (int d = 0; d < l.directives().size(); d++) {
                out.add(Model.replaced(ls, i, l.with(Model.without(l.directives(), d), l.children())));
            }
            int at = i;
            mapChildren(out, ls, at, directiveCandidates(l.children()), cs -> l.with(l.directives(), cs));
        }
        return out;
    }

    private static void mapChildren(List<List<Loc>> out, List<Loc> ls, int at, List<List<Loc>> childCandidates,
            Function<List<Loc>, Loc> rebuild) {
        for (List<Loc> cs : childCandidates) {
            out.add(Model.replaced(ls, at, rebuild.apply(cs)));
        }
    }

    private static Config withServer(Config c, int i, Server s) {
        return new Config(c.seed(), c.index(), Model.replaced(c.servers(), i, s), c.files());
    }

    private static Config withFiles(Config c, List<String> keep) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String k : keep) {
            files.put(k, c.files().get(k));
        }
        return new Config(c.seed(), c.index(), c.servers(), files);
    }

    // ---------------------------------------------------------------- request candidates

    static List<Request> requestCandidates(Request r) {
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < r.headers().size(); i++) {
            out.add(new Request(r.method(), r.target(), r.version(), r.host(), Model.without(r.headers(), i), r.body()));
        }
        if (!r.method().equals("GET")) {
            out.add(new Request("GET", r.target(), r.version(), r.host(), r.headers(), null));
        }
        if (r.body() != null && r.body().length() > 1) {
            out.add(new Request(r.method(), r.target(), r.version(), r.host(), r.headers(), "x"));
        }
        if (!r.version().equals("HTTP/1.1") && r.host() != null) {
            out.add(new Request(r.method(), r.target(), "HTTP/1.1", r.host(), r.headers(), r.body()));
        }
        if (r.host() != null && !r.host().equals("localhost")) {
            out.add(new Request(r.method(), r.target(), r.version(), "localhost", r.headers(), r.body()));
        }
        String t = r.target();
        List<String> targets = new ArrayList<>();
        int scheme = t.indexOf("://");
        if (scheme > 0 && t.indexOf('/', scheme + 3) > 0) {
            targets.add(t.substring(t.indexOf('/', scheme + 3)));
        }
        int q = t.indexOf('?');
        if (q >= 0) {
            targets.add(t.substring(0, q));
            if (q + 1 < t.length()) {
                targets.add(t.substring(0, q + 1));
            }
        }
        String path = q >= 0 ? t.substring(0, q) : t;
        String query = q >= 0 ? t.substring(q) : "";
        // drop one path segment, then one character
        for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
            int prev = path.lastIndexOf('/', i - 1);
            if (prev < 0) {
                continue;
            }
            targets.add(path.substring(0, prev) + path.substring(i) + query);
        }
        for (int i = path.length() - 1; i >= 1 && path.length() - i <= 12; i--) {
            targets.add(path.substring(0, i) + path.substring(i + 1) + query);
        }
        for (String nt : targets) {
            if (!nt.isEmpty() && !nt.equals(t)) {
                out.add(new Request(r.method(), nt, r.version(), r.host(), r.headers(), r.body()));
            }
        }
        return out;
    }
}
