package dev.modhttp.engine.netty;

/** A request that could not be parsed: the status to answer with, then the connection closes. */
record DecodeError(int status, String reason, String method, String target) {
}
