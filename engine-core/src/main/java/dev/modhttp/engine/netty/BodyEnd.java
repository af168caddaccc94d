package dev.modhttp.engine.netty;

/** Marks the end of a request body (or of a request without one). */
enum BodyEnd {
    INSTANCE
}
