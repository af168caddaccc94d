package dev.modhttp.engine;

import java.time.Duration;

/**
 * What a reload did.
 *
 * @param generation the configuration serving after it
 * @param applied whether the new configuration serves; false: refused, see {@code error}
 * @param error why it was refused, with the property and where it was set when known; null when applied
 * @param took from the trigger to the swap (or the refusal)
 */
public record ReloadResult(long generation, boolean applied, String error, Duration took) {
}
