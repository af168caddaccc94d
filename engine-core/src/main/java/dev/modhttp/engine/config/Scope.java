package dev.modhttp.engine.config;

/** The three levels at which a config record may appear, outermost first. */
public enum Scope {
    MAIN, SERVER, LOCATION
}
