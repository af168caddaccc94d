package dev.modhttp.engine.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Narrows, for one component of a flat config record, the scopes at which its key may be
 * written (nginx's per-directive contexts). Without it a component takes its spec's scopes.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Scopes {
    Scope[] value();
}
