package dev.modhttp.engine.internal;

import io.netty.util.AsciiString;

/** The {@code Server} header value: the product's name, never its version. */
public final class Server {

    public static final String NAME = "modhttp";
    public static final AsciiString HEADER = AsciiString.cached(NAME);

    private Server() {
    }
}
