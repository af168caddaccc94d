package dev.modhttp.engine.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The reference of one configuration key, written where the key is declared: on a component of
 * a flat config record (the key is the component's name in kebab-case), or on the record type of
 * a block spec (the key is the spec's). {@link ConfigReference} makes the README's reference table
 * and the starter's JSON Schema descriptions from it, so the documentation of a key cannot drift
 * from its declaration; a key's scopes come from its spec and {@link Scopes}, not from here.
 *
 * <p>Both texts are Markdown, one line each (no {@code |} escaping needed). Keys declared next to
 * each other in one record with the same {@link #meaning()} share one row of the reference.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.TYPE})
public @interface KeyDoc {

    /** The default, as a user would write it ({@code "`60s`"}), or words ({@code "none"}, the default). */
    String defaultValue() default "none";

    /** What the key does: its syntax, its values and their effect, and where it departs from nginx. */
    String meaning();
}
