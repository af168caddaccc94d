package dev.modhttp.engine.core;

import dev.modhttp.engine.config.Size;

/**
 * nginx's {@code large_client_header_buffers "4 8k"}: the request line and each header line
 * must fit in one buffer ({@code size}: else 414 and 431); the whole head in {@code number}
 * of them (else 431).
 */
public record HeaderBuffers(Integer number, Size size) {

    public HeaderBuffers {
        if (number != null && number < 1) {
            throw new IllegalArgumentException("the number of buffers must be at least 1");
        }
        if (size != null && (size.bytes() < 64 || size.bytes() > 1024 * 1024)) {
            throw new IllegalArgumentException("the buffer size must be between 64 bytes and 1m");
        }
    }

    public static HeaderBuffers parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException("'" + text + "' is not \"number size\" (e.g. \"4 8k\")");
        }
        int number;
        try {
            number = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not \"number size\" (e.g. \"4 8k\")");
        }
        return new HeaderBuffers(number, Size.parse(parts[1]));
    }
}
