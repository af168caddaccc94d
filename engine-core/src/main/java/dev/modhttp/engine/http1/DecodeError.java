package dev.modhttp.engine.http1;

import dev.modhttp.engine.http.Request;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;

/**
 * A request that could not be parsed: the status to answer with, then the connection closes.
 * {@code host} is the first valid Host read before the fault, which chooses the server that
 * answers, as nginx chooses it when it reads Host; {@code ""} when the headers ended without
 * one (the server named "" answers, as nginx's); null when the fault came before the headers
 * ended (the default server answers).
 */
record DecodeError(int status, String reason, String method, String target, String host) {

    /** What LOG and the error page see of it: the method and target read, if any, at the root URI. */
    Request request(InetSocketAddress remote, InetSocketAddress local, boolean secure) {
        return new Request(method == null ? "-" : method, target == null ? "-" : target, HttpVersion.HTTP_1_1,
                EmptyHttpHeaders.INSTANCE, null, "/", "", remote, local, secure);
    }
}
