package dev.modhttp.engine.exchange;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The phase handlers of one location (or of a server scope), compiled once into a flat array
 * of steps, nginx's phase engine: each step knows its checker and the index of the next
 * phase, so a request walks it with an index and nothing is looked up per request.
 *
 * <p>A server scope's pipeline holds POST_READ, SERVER_REWRITE and FIND_CONFIG, followed by
 * REWRITE through CONTENT for a request that matches no location: nginx serves it with the
 * server block's own configuration. A location's holds REWRITE through CONTENT. LOG handlers
 * are kept apart: they run once when the request finishes, whatever happened before.
 *
 * <p>READ_BODY, which reads the request body whole, comes right before the first CONTENT
 * handler that reads it; handlers that discard it ({@link HandlerDefinition#discardsBody()}, as
 * the static files handler does) run before it, and a request they answer is not held for its body.
 */
public final class Pipeline {

    /** How the engine treats a step's result (nginx's phase checkers). */
    public enum Checker {
        GENERIC, ACCESS, FIND_CONFIG, POST_REWRITE, POST_ACCESS, READ_BODY, CONTENT_HANDLER, CONTENT, NO_CONTENT
    }

    /** One step: a handler (null for the engine's own steps), its checker and the next phase's index. */
    public record Step(Phase phase, Checker checker, HandlerDefinition handler, int next) {
    }

    private static final Comparator<HandlerDefinition> ORDER = Comparator.comparingInt(HandlerDefinition::order);

    private final Step[] steps;
    private final HandlerDefinition[] log;
    private final HandlerDefinition contentHandler;
    private final int serverRewriteIndex;
    private final int findConfigIndex;

    private Pipeline(List<Step> steps, List<HandlerDefinition> log, HandlerDefinition contentHandler) {
        this.steps = steps.toArray(new Step[0]);
        this.log = log.toArray(new HandlerDefinition[0]);
        this.contentHandler = contentHandler;
        this.serverRewriteIndex = startOf(Phase.SERVER_REWRITE);
        this.findConfigIndex = startOf(Phase.FIND_CONFIG);
    }

    /**
     * Compiles the server-scope part: POST_READ, SERVER_REWRITE, FIND_CONFIG, then the server
     * scope's own REWRITE through CONTENT, where a request that matches no location goes on. A
     * handler registered in both SERVER_REWRITE and REWRITE must not apply to the server scope in
     * REWRITE (the rewrite and return modules test {@code kind() != SERVER}), as nginx's rewrite
     * module skips the server's REWRITE: its directives ran in SERVER_REWRITE.
     */
    public static Pipeline forServer(Location server, List<HandlerDefinition> handlers,
            HandlerDefinition contentHandler) {
        List<Step> steps = new ArrayList<>();
        addPhase(steps, Phase.POST_READ, Checker.GENERIC, handlers, server);
        addPhase(steps, Phase.SERVER_REWRITE, Checker.GENERIC, handlers, server);
        steps.add(new Step(Phase.FIND_CONFIG, Checker.FIND_CONFIG, null, steps.size() + 1));
        addLocationPhases(steps, server, handlers, contentHandler);
        return new Pipeline(steps, select(Phase.LOG, handlers, server), contentHandler);
    }

    /** Compiles a location's part: REWRITE through CONTENT. */
    public static Pipeline forLocation(Location location, List<HandlerDefinition> handlers,
            HandlerDefinition contentHandler) {
        List<Step> steps = new ArrayList<>();
        addLocationPhases(steps, location, handlers, contentHandler);
        return new Pipeline(steps, select(Phase.LOG, handlers, location), contentHandler);
    }

    private static void addLocationPhases(List<Step> steps, Location location, List<HandlerDefinition> handlers,
            HandlerDefinition contentHandler) {
        addPhase(steps, Phase.REWRITE, Checker.GENERIC, handlers, location);
        steps.add(new Step(Phase.POST_REWRITE, Checker.POST_REWRITE, null, steps.size() + 1));
        addPhase(steps, Phase.PREACCESS, Checker.GENERIC, handlers, location);
        addPhase(steps, Phase.ACCESS, Checker.ACCESS, handlers, location);
        steps.add(new Step(Phase.POST_ACCESS, Checker.POST_ACCESS, null, steps.size() + 1));
        addPhase(steps, Phase.PRECONTENT, Checker.GENERIC, handlers, location);
        List<HandlerDefinition> content = new ArrayList<>();
        if (contentHandler != null) {
            content.add(contentHandler);
        }
        content.addAll(select(Phase.CONTENT, handlers, location));
        boolean bodyRead = false;
        for (HandlerDefinition h : content) {
            if (!bodyRead && !h.discardsBody()) { // READ_BODY before the first handler that reads the body
                steps.add(new Step(Phase.CONTENT, Checker.READ_BODY, null, steps.size() + 1));
                bodyRead = true;
            }
            Checker checker = h == contentHandler ? Checker.CONTENT_HANDLER : Checker.CONTENT;
            steps.add(new Step(Phase.CONTENT, checker, h, steps.size() + 1));
        }
        steps.add(new Step(Phase.CONTENT, Checker.NO_CONTENT, null, steps.size()));
    }

    private static void addPhase(List<Step> steps, Phase phase, Checker checker, List<HandlerDefinition> all,
            Location at) {
        List<HandlerDefinition> mine = select(phase, all, at);
        int next = steps.size() + mine.size();
        for (HandlerDefinition h : mine) {
            steps.add(new Step(phase, checker, h, next));
        }
    }

    private static List<HandlerDefinition> select(Phase phase, List<HandlerDefinition> all, Location at) {
        List<HandlerDefinition> mine = new ArrayList<>();
        for (HandlerDefinition h : all) {
            if (h.phase() == phase && h.appliesTo().test(at)) {
                mine.add(h);
            }
        }
        mine.sort(ORDER); // stable: registration order among equal orders
        return mine;
    }

    public Step step(int index) {
        return steps[index];
    }

    public int size() {
        return steps.length;
    }

    /** Where an internal redirect re-enters a server's pipeline (nginx's server_rewrite_index). */
    public int serverRewriteIndex() {
        return serverRewriteIndex;
    }

    /** Where a changed URI re-enters a server's pipeline; the server scope's own REWRITE follows it. */
    public int findConfigIndex() {
        return findConfigIndex;
    }

    /** The index of the first step belonging to {@code phase} or a later phase. */
    private int startOf(Phase phase) {
        for (int i = 0; i < steps.length; i++) {
            if (steps[i].phase().compareTo(phase) >= 0) {
                return i;
            }
        }
        return steps.length;
    }

    public HandlerDefinition[] logHandlers() {
        return log;
    }

    public HandlerDefinition contentHandler() {
        return contentHandler;
    }

    /** One line per step, for the startup dump and the pipeline endpoint. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Step s : steps) {
            lines.add(s.phase() + " " + (s.handler() == null ? "<engine:" + s.checker() + ">"
                    : s.handler().name() + " (order " + s.handler().order() + (s.handler().blocking() ? ", blocking" : "")
                    + (s.checker() == Checker.CONTENT_HANDLER ? ", location content handler" : "") + ")"));
        }
        for (HandlerDefinition h : log) {
            lines.add(Phase.LOG + " " + h.name() + " (order " + h.order() + ")");
        }
        return lines;
    }
}
