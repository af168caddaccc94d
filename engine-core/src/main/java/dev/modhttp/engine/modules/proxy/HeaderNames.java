package dev.modhttp.engine.modules.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

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
    private final ByteProcessor step = this::next;
    /** Where the current line began, counted as {@link #scanned} counts. */
    private long lineStart;
    private String invalid;

    boolean inHead() {
        return inHead;
    }

    /** Checks the bytes of {@code in} not checked yet; false when a name is invalid. */
    boolean scan(ByteBuf in) {
        int from = Math.max(in.readerIndex() + (int) (scanned - consumed), in.readerIndex());
        int bad = from < in.writerIndex() ? in.forEachByte(from, in.writerIndex() - from, step) : -1;
        if (bad < 0 || !inHead) {
            return true; // all checked, or the head ended there
        }
        // the line is not consumed yet (the decoder takes whole lines): its name is still in the buffer
        int nameStart = in.readerIndex() + (int) (lineStart - consumed);
        int shown = Math.min(bad - nameStart, 64);
        invalid = in.toString(nameStart, shown, StandardCharsets.ISO_8859_1) + "\\x"
                + String.format("%02X", in.getByte(bad) & 0xff) + "...";
        return false;
    }

    /** One byte of the head; false stops at an invalid name byte, or past the empty line that ends the head. */
    private boolean next(byte b) {
        scanned++;
        if (b == '\n') {
            boolean empty = lineLength == 0 || lineLength == 1 && crOnly;
            inHead = statusLine || !empty;
            statusLine = false;
            inName = true;
            lineLength = 0;
            crOnly = false;
            lineStart = scanned;
            return inHead;
        }
        lineLength++;
        if (statusLine || !inName) {
            return true;
        }
        if (b == ':') {
            inName = false;
        } else if (b == '\r' && lineLength == 1) {
            crOnly = true;
        } else if ((b & 0xff) <= 0x20 || b == 0x7f) {
            return false;
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
        lineStart = 0;
        scanned = 0;
        consumed = 0;
    }

    String invalid() {
        return invalid;
    }
}
