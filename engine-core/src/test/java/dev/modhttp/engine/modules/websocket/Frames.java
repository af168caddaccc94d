package dev.modhttp.engine.modules.websocket;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw RFC 6455 client for the tests: frames written byte by byte as a client sends them, and read back. */
final class Frames {

    static final int CONTINUATION = 0;
    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;

    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    private Frames() {
    }

    /** RFC 6455 §1.3's example handshake for {@code path}, with {@code extra} fields (each ending in CRLF). */
    static String handshake(String path, String extra) {
        return "GET " + path + " HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n";
    }

    /** A masked client frame. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload) {
        return frame(fin, rsv, opcode, payload, true);
    }

    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(mask | payload.length);
        } else if (payload.length < 65536) {
            out.write(mask | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        if (masked) {
            out.writeBytes(MASK);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ MASK[i % 4] : payload[i]);
        }
        return out.toByteArray();
    }

    static byte[] text(String s) {
        return frame(true, 0, TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] close(int code, byte[] reason) {
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return frame(true, 0, CLOSE, payload);
    }

    /** A server frame. */
    record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
        int closeCode() {
            return payload.length < 2 ? 1005 : (payload[0] & 0xff) << 8 | payload[1] & 0xff;
        }

        @Override
        public String toString() {
            return switch (opcode) {
                case TEXT -> "text:" + new String(payload, StandardCharsets.UTF_8);
                case BINARY -> "binary:" + payload.length;
                case PING -> "ping:" + payload.length;
                case PONG -> "pong:" + new String(payload, StandardCharsets.ISO_8859_1);
                case CLOSE -> "close:" + closeCode();
                default -> "opcode " + opcode;
            };
        }
    }

    /** The complete frames in {@code bytes}. */
    static List<Frame> parse(byte[] bytes) {
        List<Frame> frames = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            Frame f;
            while ((f = read(in)) != null) {
                frames.add(f);
            }
        } catch (IOException e) {
            // a partial frame at the end
        }
        return frames;
    }

    static List<Integer> closeCodes(byte[] bytes) {
        return parse(bytes).stream().filter(f -> f.opcode() == CLOSE).map(Frame::closeCode).toList();
    }

    /** One frame, or null at the end of the stream. */
    static Frame read(InputStream stream) throws IOException {
        DataInputStream in = stream instanceof DataInputStream d ? d : new DataInputStream(stream);
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] key = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException();
        }
        if (key != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i % 4];
            }
        }
        return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0f, payload);
    }

    /** A WebSocket connection after its handshake, read frame by frame. */
    static final class Conn implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;
        final List<String> head = new ArrayList<>();

        Conn(int port, String path, String extra) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            out.write(handshake(path, extra).getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder line = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new EOFException("closed during the handshake: " + head);
                }
                if (c == '\n') {
                    String l = line.toString().strip();
                    if (l.isEmpty()) {
                        break;
                    }
                    head.add(l);
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
            if (!head.get(0).startsWith("HTTP/1.1 101")) {
                throw new IOException("not upgraded: " + head);
            }
        }

        String header(String name) {
            return head.stream().filter(h -> h.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(h -> h.substring(name.length() + 1).trim()).findFirst().orElse(null);
        }

        /** Writes each piece on its own (a frame split over several reads when there are several). */
        void send(byte[]... pieces) throws IOException {
            for (byte[] p : pieces) {
                out.write(p);
                out.flush();
            }
        }

        /** Sends {@code bytes} in pieces of {@code size} bytes. */
        void sendInPieces(byte[] bytes, int size) throws IOException {
            for (int i = 0; i < bytes.length; i += size) {
                out.write(bytes, i, Math.min(size, bytes.length - i));
                out.flush();
            }
        }

        /** The next frame, or null when the server closed the connection. */
        Frame next() throws IOException {
            return read(in);
        }

        /** Frames until the server closes the connection (after a close), or until {@code millis} pass quietly. */
        List<Frame> until(int millis) throws IOException {
            List<Frame> frames = new ArrayList<>();
            socket.setSoTimeout(millis);
            try {
                Frame f;
                while ((f = read(in)) != null) {
                    frames.add(f);
                }
            } catch (SocketTimeoutException quiet) {
                // the connection stays open
            } catch (IOException reset) {
                frames.add(new Frame(true, 0, -1, new byte[0])); // a reset is seen as the end
            } finally {
                socket.setSoTimeout(10_000);
            }
            return frames;
        }

        boolean closedByServer() throws IOException {
            socket.setSoTimeout(5_000);
            try {
                return in.read() < 0;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
