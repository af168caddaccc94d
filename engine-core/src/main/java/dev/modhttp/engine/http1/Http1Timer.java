package dev.modhttp.engine.http1;

import dev.modhttp.engine.core.CoreConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One timer per connection for whichever of nginx's timeouts applies in its state
 * ({@code client_header_timeout}, {@code client_body_timeout}, {@code keepalive_timeout}, and
 * {@code lingering_timeout} within {@code lingering_time} while it drops the unread body of a
 * finished request) plus {@code send_timeout} while the client does not take bytes. It re-arms
 * itself lazily: moving a deadline later schedules nothing. The lingering close is
 * {@link dev.modhttp.engine.exchange.LingeringDrain}'s.
 */
final class Http1Timer {

    /** DISCARD: a finished request's unread body being dropped. */
    enum Timeout { NONE, HEADER, BODY, KEEPALIVE, DISCARD }

    /** What the connection does when a deadline passes. */
    interface Expiry {
        /** {@code timeout} expired ({@link Timeout#NONE} for the send timeout). */
        void expired(Timeout timeout);
    }

    private final ChannelHandlerContext ctx;
    private final Expiry expiry;
    private Timeout timeout = Timeout.NONE;
    private long deadline;
    private long sendDeadline;
    private ScheduledFuture<?> timer;
    private long timerAt;
    private boolean stopped;
    /** The lingering keys of the last request's location (the server's before any). */
    private CoreConfig lingerKeys;
    private long lingerUntil;

    Http1Timer(ChannelHandlerContext ctx, Expiry expiry, CoreConfig serverKeys) {
        this.ctx = ctx;
        this.expiry = expiry;
        this.lingerKeys = serverKeys;
    }

    /** The location whose lingering-close, lingering-time and lingering-timeout apply next. */
    void lingerWith(CoreConfig keys) {
        lingerKeys = keys;
    }

    /** The lingering keys of the last request's location (the server's before any). */
    CoreConfig lingerKeys() {
        return lingerKeys;
    }

    /**
     * Starts dropping the unread body of a finished request (nginx's discarded body): each read
     * must come within {@code lingering-timeout} of the last, all within {@code lingering-time}.
     */
    void startDiscarding() {
        lingerUntil = System.nanoTime() + lingerKeys.lingeringTime().toNanos();
        timeout = Timeout.DISCARD;
        lingered();
    }

    /** Bytes came: while discarding, the next must come within lingering-timeout, within lingering-time. */
    void lingered() {
        if (timeout == Timeout.DISCARD) {
            long left = lingerUntil - System.nanoTime(); // past lingering-time: fires at once
            arm(timeout, Duration.ofNanos(Math.min(left, lingerKeys.lingeringTimeout().toNanos())));
        }
    }

    void arm(Timeout kind, Duration d) {
        timeout = kind;
        long nanos = Math.max(1, d.toNanos());
        deadline = System.nanoTime() + nanos;
        schedule(nanos);
    }

    void disarm() {
        timeout = Timeout.NONE;
        deadline = 0;
    }

    /** The client stopped taking bytes: {@code d} from now the connection fails, unless it takes them again. */
    void armSend(Duration d) {
        sendDeadline = System.nanoTime() + d.toNanos();
        schedule(d.toNanos());
    }

    void disarmSend() {
        sendDeadline = 0;
    }

    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Makes sure the timer fires no later than {@code nanos} from now. */
    private void schedule(long nanos) {
        long at = System.nanoTime() + nanos;
        if (timer != null && timerAt - at <= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = ctx.executor().schedule(this::fire, nanos, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        if (sendDeadline != 0 && now - sendDeadline >= 0) {
            expiry.expired(Timeout.NONE);
            return;
        }
        if (timeout != Timeout.NONE && now - deadline >= 0) {
            Timeout t = timeout;
            timeout = Timeout.NONE;
            expiry.expired(t);
            return;
        }
        long next = Long.MAX_VALUE;
        if (timeout != Timeout.NONE) {
            next = deadline - now;
        }
        if (sendDeadline != 0) {
            next = Math.min(next, sendDeadline - now);
        }
        if (next != Long.MAX_VALUE) {
            schedule(next);
        }
    }
}
