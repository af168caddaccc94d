package dev.modhttp.engine.http1;

/** Marks the end of a request body (or of a request without one). */
enum BodyEnd {
    INSTANCE
}
