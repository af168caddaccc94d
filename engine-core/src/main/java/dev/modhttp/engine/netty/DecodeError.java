package dev.modhttp.engine.netty;

/**
 * A request that could not be parsed: the status to answer with, then the connection closes.
 * {@code host} is the first valid Host read before the fault, which chooses the server that
 * answers, as nginx chooses it when it reads Host; null before one.
 */
record DecodeError(int status, String reason, String method, String target, String host) {
}
