package dev.modhttp.engine.modules.proxy;

import io.netty.channel.ConnectTimeoutException;

/**
 * The peers one request goes to, one attempt after another: the balancer's next peer, the tries
 * left ({@code proxy-next-upstream-tries}, 0 for as many as there are peers), and each peer's
 * release with or without a failure (nginx's max-fails accounting).
 */
final class Attempts {

    /** Why an attempt failed, nginx's NGX_HTTP_UPSTREAM_FT_* kinds. */
    enum Failure { ERROR, TIMEOUT, INVALID_HEADER }

    final Peers peers;
    private final Peers.Pick pick;
    private int left;
    private Peers.Peer peer;

    Attempts(Peers peers, Peers.Pick pick, int tries) {
        this.peers = peers;
        this.pick = pick;
        this.left = tries == 0 ? peers.size() : Math.min(tries, peers.size());
    }

    /** The next peer, counted as a try; null when no peer is live. */
    Peers.Peer next() {
        peer = peers.next(pick, Peers.now());
        if (peer != null) {
            left--;
        }
        return peer;
    }

    /** The peer of the current attempt; null between attempts. */
    Peers.Peer peer() {
        return peer;
    }

    boolean triesLeft() {
        return left > 0;
    }

    /** The current peer's part ends; a failure counts toward its max-fails. */
    void free(boolean failure) {
        if (peer != null) {
            peers.free(peer, failure, Peers.now());
            peer = null;
        }
    }

    /** A pooled connection the backend had closed meanwhile: not the peer's fault, and not a try. */
    void untry() {
        pick.tried &= peer.index < 64 ? ~(1L << peer.index) : -1L;
        free(false);
        left++;
    }

    /** The peer is a tunnel's from now on, which frees it when it ends. */
    void handOver() {
        peer = null;
    }

    /** The current peer's name for logs, else the upstream's. */
    String name() {
        return peer != null ? peer.name : peers.upstream.name();
    }

    /** The error log's words for a connection to a backend that did not open. */
    static String connectFailure(Throwable cause) {
        return cause instanceof ConnectTimeoutException
                ? "upstream timed out (110: Connection timed out) while connecting to upstream"
                : "connect() failed (" + cause.getMessage() + ") while connecting to upstream";
    }

    /** The error log's words for a backend head Netty's decoder refused. */
    static String headerFailure(Throwable cause) {
        if (cause instanceof HeaderNames.Invalid invalid) {
            return "upstream sent invalid header: \"" + invalid.getMessage() + "\" while reading response header from upstream";
        }
        boolean tooBig = cause != null && String.valueOf(cause.getMessage()).contains("larger than");
        return (tooBig ? "upstream sent too big header" : "upstream sent invalid header")
                + " while reading response header from upstream";
    }
}
