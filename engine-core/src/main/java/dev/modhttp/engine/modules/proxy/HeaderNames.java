package dev.modhttp.engine.modules.proxy;

import io.netty.buffer.ByteBuf;

/**
 * The field names of a backend's response head as they arrive, checked as nginx checks them
 * (since 1.21.1): a space, a control character or DEL in a name makes the response invalid (502).
 * Netty's decoder would instead cut the name at a space and pass the field on. Reads ahead of the
 * decoder without consuming: positions are kept as counts of bytes since the head began.
 */
final class HeaderNames {

    /** Why a head was refused, worded as nginx logs it: the name up to the bad byte, escaped. */
    static final class Invalid extends IllegalArgumentException {
        Invalid(String shown) {
            super(shown);
        }
    }

    private boolean inHead = true;
    /** Bytes of the head checked, and bytes of it the decoder consumed, since the head began. */
    private long scanned;
    private long consumed;
    private boolean statusLine = true;
    private boolean inName = true;
    private int lineLength;
    /** The line so far is a lone CR: at its LF, the empty line that ends the head. */
    private boolean crOnly;
    private final StringBuilder name = new StringBuilder();
    private String invalid;

    boolean inHead() {
        return inHead;
    }

    /** Checks the bytes of {@code in} not checked yet; false when a name is invalid. */
    boolean scan(ByteBuf in) {
        int from = in.readerIndex() + (int) (scanned - consumed);
        for (int i = Math.max(from, in.readerIndex()); i < in.writerIndex() && inHead; i++) {
            byte b = in.getByte(i);
            scanned++;
            if (b == '\n') {
                boolean empty = lineLength == 0 || lineLength == 1 && crOnly;
                inHead = statusLine || !empty;
                statusLine = false;
                inName = true;
                lineLength = 0;
                crOnly = false;
                name.setLength(0);
                continue;
            }
            lineLength++;
            if (statusLine || !inName) {
                continue;
            }
            if (b == ':') {
                inName = false;
            } else if (b == '\r' && lineLength == 1) {
                crOnly = true;
            } else if ((b & 0xff) <= 0x20 || b == 0x7f) {
                invalid = name + "\\x" + String.format("%02X", b & 0xff) + "...";
                return false;
            } else if (name.length() < 64) {
                name.append((char) (b & 0xff));
            }
        }
        return true;
    }

    /** The decoder consumed {@code n} more bytes. */
    void consumed(int n) {
        consumed += n;
    }

    /** A response ended: the next bytes start the next head. */
    void nextHead() {
        inHead = true;
        statusLine = true;
        inName = true;
        lineLength = 0;
        crOnly = false;
        name.setLength(0);
        scanned = 0;
        consumed = 0;
    }

    String invalid() {
        return invalid;
    }
}
