package dev.modhttp.engine.http1;

/**
 * A request that could not be parsed: the status to answer with, then the connection closes.
 * {@code host} is the first valid Host read before the fault, which chooses the server that
 * answers, as nginx chooses it when it reads Host; {@code ""} when the headers ended without
 * one (the server named "" answers, as nginx's); null when the fault came before the headers
 * ended (the default server answers).
 */
record DecodeError(int status, String reason, String method, String target, String host) {
}
