package dev.modhttp.engine.exchange;

/**
 * What a protocol learned from a request's head that the core needs to read its body and to
 * count its bytes. HTTP/1.1's parsed head implements it.
 */
public interface RequestFraming {

    /** For a request that could not be parsed: no head, no body. */
    RequestFraming NONE = new RequestFraming() {
        @Override
        public int length() {
            return 0;
        }

        @Override
        public long contentLength() {
            return -1;
        }

        @Override
        public boolean hasBody() {
            return false;
        }

        @Override
        public boolean expectContinue() {
            return false;
        }
    };

    /** The head's bytes as received. */
    int length();

    /** The declared body length; -1 when none is declared (no body, or a chunked one). */
    long contentLength();

    /** Whether a body follows the head. */
    boolean hasBody();

    /** Whether the client waits for 100 Continue before it sends the body. */
    boolean expectContinue();
}
