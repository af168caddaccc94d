package dev.modhttp.engine.module;

/**
 * The engine's configuration reloads so far.
 *
 * @param generation the configuration serving now: 1 for the one the engine started with, one
 *     more for each reload that was applied
 * @param applied reloads applied
 * @param refused reloads whose configuration failed (bound, validated or compiled) and was not
 *     applied: the generation before kept serving
 * @param lastError why the last refused reload was refused, with the property and where it was
 *     set where the configuration source knows it; null when none was refused
 */
public record Reloads(long generation, long applied, long refused, String lastError) {

    /** An engine that never reloaded. */
    public static final Reloads NONE = new Reloads(1, 0, 0, null);
}
