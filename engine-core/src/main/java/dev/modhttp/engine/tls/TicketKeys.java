package dev.modhttp.engine.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

/**
 * The session ticket keys of one server's contexts under OpenSSL, made at startup as OpenSSL
 * makes them when nginx names none, and changed every half {@code ssl-session-timeout} with the
 * previous key still decrypting: a ticket is resumed for at most the timeout. Needed because
 * BoringSSL gives TLS 1.3 tickets a lifetime of two days whatever the session timeout says, and
 * netty-tcnative offers no setting for it.
 */
final class TicketKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<SslContext> contexts;
    private final long halfNanos;
    private OpenSslSessionTicketKey current;
    private long changedAt;

    TicketKeys(List<SslContext> contexts, Duration timeout) {
        this.contexts = contexts;
        this.halfNanos = timeout.toNanos() / 2;
        this.current = newKey();
        this.changedAt = System.nanoTime();
        set(current);
    }

    /** Changes the key when half the timeout has passed since the last change (called every second). */
    synchronized void tick(long now) {
        if (now - changedAt >= halfNanos) {
            OpenSslSessionTicketKey previous = current;
            current = newKey();
            changedAt = now;
            set(current, previous);
        }
    }

    private void set(OpenSslSessionTicketKey... keys) {
        for (SslContext c : contexts) {
            ((OpenSslSessionContext) c.sessionContext()).setTicketKeys(keys); // the first encrypts, all decrypt
        }
    }

    private static OpenSslSessionTicketKey newKey() {
        return new OpenSslSessionTicketKey(random(OpenSslSessionTicketKey.NAME_SIZE),
                random(OpenSslSessionTicketKey.HMAC_KEY_SIZE), random(OpenSslSessionTicketKey.AES_KEY_SIZE));
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return b;
    }
}
