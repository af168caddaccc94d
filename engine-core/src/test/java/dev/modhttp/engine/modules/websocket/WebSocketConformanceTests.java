package dev.modhttp.engine.modules.websocket;

import static dev.modhttp.engine.modules.websocket.Frames.BINARY;
import static dev.modhttp.engine.modules.websocket.Frames.CLOSE;
import static dev.modhttp.engine.modules.websocket.Frames.CONTINUATION;
import static dev.modhttp.engine.modules.websocket.Frames.PING;
import static dev.modhttp.engine.modules.websocket.Frames.PONG;
import static dev.modhttp.engine.modules.websocket.Frames.TEXT;
import static dev.modhttp.engine.modules.websocket.Frames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.TestEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 6455 and RFC 7692 conformance, in the case groups of the Autobahn testsuite (which does not
 * install here): framing (1), pings and pongs (2), reserved bits (3), opcodes (4), fragmentation
 * (5), UTF-8 (6), closing (7), limits (9), compression (12/13). Each row sends raw client frames
 * to an echo endpoint and expects exactly the server's frames until it closes the connection; a
 * row whose expectation has no close ends with the client's close 1000, answered in kind.
 */
@Timeout(30)
class WebSocketConformanceTests {

    static TestEngine engine;

    @BeforeAll
    static void start() {
        engine = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /echo
                        websocket: { endpoint: echo, max-frame-size: 1m, max-message-size: 1m, ping-interval: 0,
                                     idle-timeout: 0, compression: off }
                      - location: /limits
                        websocket: { endpoint: echo, max-frame-size: 1k, max-message-size: 4k, ping-interval: 0,
                                     idle-timeout: 0 }
                      - location: /deflate
                        websocket: { endpoint: echo, max-message-size: 1m, ping-interval: 0, idle-timeout: 0 }
                """, b -> b.module(new WebSocketModule(Map.of("echo", new Echo()))));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** What a row does on a connection. */
    interface Script {
        void run(Frames.Conn c, Deflate deflate) throws IOException;
    }

    record Case(String path, String extensions, Script script, List<String> expected) {
    }

    static final List<Arguments> CASES = new ArrayList<>();

    static void row(String id, Script script, String... expected) {
        CASES.add(Arguments.of(id, new Case("/echo", "", script, List.of(expected))));
    }

    static void row(String id, String path, String extensions, Script script, String... expected) {
        CASES.add(Arguments.of(id, new Case(path, extensions, script, List.of(expected))));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static Stream<Arguments> cases() {
        return CASES.stream();
    }

    static {
        framing();
        pings();
        reservedBits();
        opcodes();
        fragmentation();
        utf8Handling();
        closing();
        limits();
        compression();
    }

    // 1: text and binary messages of every length class, whole and in pieces; masking
    static void framing() {
        for (int length : new int[] {0, 1, 125, 126, 127, 128, 65535, 65536}) {
            String text = "*".repeat(length);
            row("1.1 text of " + length, (c, d) -> c.send(frame(true, 0, TEXT, utf8(text))), "text:" + text);
            row("1.2 binary of " + length, (c, d) -> c.send(frame(true, 0, BINARY, new byte[length])), "binary:" + length);
        }
        String big = "x".repeat(65536);
        row("1.1.8 text of 65536 in 997-byte pieces", (c, d) -> c.sendInPieces(frame(true, 0, TEXT, utf8(big)), 997),
                "text:" + big);
        row("1.2.8 binary of 65536 in 997-byte pieces", (c, d) -> c.sendInPieces(frame(true, 0, BINARY, new byte[65536]), 997),
                "binary:65536");
        row("1.3 an unmasked client frame", (c, d) -> c.send(frame(true, 0, TEXT, utf8("x"), false)), "close:1002");
    }

    // 2: pings and pongs
    static void pings() {
        row("2.1 ping without payload", (c, d) -> c.send(frame(true, 0, PING, new byte[0])), "pong:");
        row("2.2 ping with text", (c, d) -> c.send(frame(true, 0, PING, utf8("Hello, world!"))), "pong:Hello, world!");
        byte[] bytes = {0x00, (byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc, (byte) 0xfb, 0x00, (byte) 0xff};
        row("2.3 ping with binary", (c, d) -> c.send(frame(true, 0, PING, bytes)),
                "pong:" + new String(bytes, StandardCharsets.ISO_8859_1));
        row("2.4 ping of 125 bytes", (c, d) -> c.send(frame(true, 0, PING, utf8("*".repeat(125)))), "pong:" + "*".repeat(125));
        row("2.5 ping of 126 bytes", (c, d) -> c.send(frame(true, 0, PING, utf8("*".repeat(126)))), "close:1002");
        row("2.6 ping of 125 bytes byte by byte", (c, d) -> c.sendInPieces(frame(true, 0, PING, utf8("*".repeat(125))), 1),
                "pong:" + "*".repeat(125));
        row("2.7 unsolicited pong without payload", (c, d) -> c.send(frame(true, 0, PONG, new byte[0])));
        row("2.8 unsolicited pong with payload", (c, d) -> c.send(frame(true, 0, PONG, utf8("unsolicited"))));
        row("2.9 unsolicited pong, then ping", (c, d) -> c.send(frame(true, 0, PONG, utf8("a")), frame(true, 0, PING, utf8("b"))),
                "pong:b");
        String[] tenPongs = new String[10];
        Arrays.fill(tenPongs, "pong:ping");
        row("2.10 ten pings", (c, d) -> {
            for (int i = 0; i < 10; i++) {
                c.send(frame(true, 0, PING, utf8("ping")));
            }
        }, tenPongs);
        row("2.11 ten pings byte by byte", (c, d) -> {
            for (int i = 0; i < 10; i++) {
                c.sendInPieces(frame(true, 0, PING, utf8("ping")), 1);
            }
        }, tenPongs);
    }

    // 3: reserved bits without an extension that defines them
    static void reservedBits() {
        for (int rsv = 1; rsv <= 7; rsv++) {
            int r = rsv;
            row("3." + rsv + " text with RSV " + rsv, (c, d) -> c.send(frame(true, r, TEXT, utf8("x"))), "close:1002");
        }
        row("3.8 binary with RSV 4", (c, d) -> c.send(frame(true, 4, BINARY, new byte[3])), "close:1002");
        row("3.9 ping with RSV 2", (c, d) -> c.send(frame(true, 2, PING, utf8("x"))), "close:1002");
        row("3.10 close with RSV 1", (c, d) -> c.send(frame(true, 1, CLOSE, new byte[] {0x03, (byte) 0xe8})), "close:1002");
        row("3.11 an echo, then RSV 1", (c, d) -> c.send(Frames.text("x"), frame(true, 1, TEXT, utf8("y"))),
                "text:x", "close:1002");
    }

    // 4: opcodes RFC 6455 reserves
    static void opcodes() {
        for (int opcode : new int[] {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
            row("4 reserved opcode " + opcode, (c, d) -> c.send(frame(true, 0, opcode, new byte[0])), "close:1002");
        }
        row("4 reserved opcode 3 with payload", (c, d) -> c.send(frame(true, 0, 3, utf8("reserved"))), "close:1002");
        row("4 an echo, then reserved opcode 13", (c, d) -> c.send(Frames.text("x"), frame(true, 0, 13, utf8("y"))),
                "text:x", "close:1002");
    }

    // 5: fragmentation, and control frames between fragments
    static void fragmentation() {
        row("5.1 fragmented ping", (c, d) -> c.send(frame(false, 0, PING, utf8("a")), frame(true, 0, CONTINUATION, utf8("b"))),
                "close:1002");
        row("5.2 fragmented pong", (c, d) -> c.send(frame(false, 0, PONG, utf8("a")), frame(true, 0, CONTINUATION, utf8("b"))),
                "close:1002");
        row("5.3 text in two fragments", (c, d) -> c.send(frame(false, 0, TEXT, utf8("frag")),
                frame(true, 0, CONTINUATION, utf8("ment"))), "text:fragment");
        row("5.4 text in two fragments, byte by byte", (c, d) -> c.sendInPieces(concat(frame(false, 0, TEXT, utf8("frag")),
                frame(true, 0, CONTINUATION, utf8("ment"))), 1), "text:fragment");
        row("5.5 a ping between fragments", (c, d) -> c.send(frame(false, 0, TEXT, utf8("frag")),
                frame(true, 0, PING, utf8("between")), frame(true, 0, CONTINUATION, utf8("ment"))),
                "pong:between", "text:fragment");
        row("5.6 a pong between fragments", (c, d) -> c.send(frame(false, 0, TEXT, utf8("frag")),
                frame(true, 0, PONG, utf8("between")), frame(true, 0, CONTINUATION, utf8("ment"))), "text:fragment");
        row("5.7 binary in three fragments", (c, d) -> c.send(frame(false, 0, BINARY, new byte[10]),
                frame(false, 0, CONTINUATION, new byte[20]), frame(true, 0, CONTINUATION, new byte[30])), "binary:60");
        row("5.8 a final continuation without a message", (c, d) -> c.send(frame(true, 0, CONTINUATION, utf8("x"))),
                "close:1002");
        row("5.9 a continuation without a message", (c, d) -> c.send(frame(false, 0, CONTINUATION, utf8("x"))),
                "close:1002");
        row("5.10 an echo, then a continuation without a message", (c, d) -> c.send(Frames.text("x"),
                frame(true, 0, CONTINUATION, utf8("y"))), "text:x", "close:1002");
        row("5.11 a text frame inside a fragmented message", (c, d) -> c.send(frame(false, 0, TEXT, utf8("a")),
                frame(true, 0, TEXT, utf8("b"))), "close:1002");
        row("5.12 a binary frame inside a fragmented message", (c, d) -> c.send(frame(false, 0, TEXT, utf8("a")),
                frame(true, 0, BINARY, utf8("b"))), "close:1002");
        row("5.13 a hundred one-byte fragments", (c, d) -> {
            c.send(frame(false, 0, TEXT, utf8("a")));
            for (int i = 1; i < 99; i++) {
                c.send(frame(false, 0, CONTINUATION, utf8("a")));
            }
            c.send(frame(true, 0, CONTINUATION, utf8("a")));
        }, "text:" + "a".repeat(100));
        row("5.14 empty fragments", (c, d) -> c.send(frame(false, 0, TEXT, new byte[0]), frame(false, 0, CONTINUATION, new byte[0]),
                frame(true, 0, CONTINUATION, utf8("x"))), "text:x");
        row("5.15 a close between fragments", (c, d) -> c.send(frame(false, 0, TEXT, utf8("a")),
                Frames.close(1000, new byte[0])), "close:1000");
        row("5.16 a fragmented ping inside a fragmented message", (c, d) -> c.send(frame(false, 0, TEXT, utf8("a")),
                frame(false, 0, PING, utf8("p"))), "close:1002");
        row("5.17 two fragmented messages", (c, d) -> c.send(frame(false, 0, TEXT, utf8("a")), frame(true, 0, CONTINUATION,
                utf8("b")), frame(false, 0, BINARY, new byte[1]), frame(true, 0, CONTINUATION, new byte[2])),
                "text:ab", "binary:3");
        row("5.18 three pings between fragments", (c, d) -> c.send(frame(false, 0, TEXT, utf8("a")), frame(true, 0, PING,
                utf8("1")), frame(true, 0, PING, utf8("2")), frame(true, 0, PING, utf8("3")),
                frame(true, 0, CONTINUATION, utf8("b"))), "pong:1", "pong:2", "pong:3", "text:ab");
    }

    // 6: UTF-8 of text messages, whole and split across fragments (also inside a code point)
    static void utf8Handling() {
        String[] valid = {"κόσμε", "Hello-µ@ßöäüàá-UTF-8!!", "\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000",
            "\ufffd", "\uffff", new String(Character.toChars(0x10000)), new String(Character.toChars(0x10ffff)), "a\u0000b"};
        for (String s : valid) {
            String hex = HexFormat.of().formatHex(utf8(s));
            row("6 valid " + hex, (c, d) -> c.send(frame(true, 0, TEXT, utf8(s))), "text:" + s);
        }
        for (String s : new String[] {"κόσμε", "Hello-µ@ßöäüàá-UTF-8!!", new String(Character.toChars(0x10ffff)), "\u0800"}) {
            String hex = HexFormat.of().formatHex(utf8(s));
            row("6 valid " + hex + " one byte per fragment", (c, d) -> c.send(perByte(utf8(s))), "text:" + s);
        }
        String[] invalid = {
            "cebae1bdb9cf83cebcceb5eda080656469746564", // a surrogate inside text
            "80", "bf", "80bf", "80bf80", "80bf80bf", "c020", "e020", "f020", "f820", "fc20",
            "c0", "e080", "f08080", "f7bfbf", "df", "efbf", "fe", "ff", "fefeffff",
            "c0af", "e080af", "f08080af", "f8808080af", "fc80808080af", "c1bf", "e09fbf", "f08fbfbf", "c080",
            "e08080", "f0808080", "eda080", "edadbf", "edae80", "edafbf", "edb080", "edbe80", "edbfbf",
            "eda080edb080", "f4908080", "cebae1bdb9cf83cebcceb5eda080"};
        for (String hex : invalid) {
            byte[] bytes = HexFormat.of().parseHex(hex);
            row("6 invalid " + hex, (c, d) -> c.send(frame(true, 0, TEXT, bytes)), "close:1007");
        }
        for (String hex : new String[] {"cebae1bdb9cf83cebcceb5eda080656469746564", "f4908080", "c0af", "eda080", "80",
            "fefeffff", "cebae1bdb9cf83cebcceb5f4908080", "e09fbf"}) {
            byte[] bytes = HexFormat.of().parseHex(hex);
            row("6 invalid " + hex + " one byte per fragment", (c, d) -> c.send(perByte(bytes)), "close:1007");
        }
    }

    /** A text message of one fragment per byte. */
    static byte[][] perByte(byte[] bytes) {
        if (bytes.length == 1) {
            return new byte[][] {frame(true, 0, TEXT, bytes)};
        }
        byte[][] frames = new byte[bytes.length][];
        for (int i = 0; i < bytes.length; i++) {
            frames[i] = frame(i == bytes.length - 1, 0, i == 0 ? TEXT : CONTINUATION, new byte[] {bytes[i]});
        }
        return frames;
    }

    // 7: the closing handshake
    static void closing() {
        row("7.1 a close without payload", (c, d) -> c.send(frame(true, 0, CLOSE, new byte[0])), "close:1005");
        row("7.2 a close 1000", (c, d) -> c.send(Frames.close(1000, new byte[0])), "close:1000");
        row("7.3 a close 1000 with a reason", (c, d) -> c.send(Frames.close(1000, utf8("bye"))), "close:1000");
        row("7.4 a close of one byte", (c, d) -> c.send(frame(true, 0, CLOSE, new byte[] {0x03})), "close:1002");
        row("7.5 a reason of 123 bytes", (c, d) -> c.send(Frames.close(1000, utf8("*".repeat(123)))), "close:1000");
        row("7.6 a reason of 124 bytes", (c, d) -> c.send(Frames.close(1000, utf8("*".repeat(124)))), "close:1002");
        row("7.7 a reason in bad UTF-8", (c, d) -> c.send(Frames.close(1000, HexFormat.of().parseHex("cebae1bdb9cf83cebcceb5eda080"))),
                "close:1007");
        row("7.8 text after the close", (c, d) -> c.send(concat(Frames.close(1000, new byte[0]), Frames.text("late"))),
                "close:1000");
        row("7.9 a ping after the close", (c, d) -> c.send(concat(Frames.close(1000, new byte[0]),
                frame(true, 0, PING, utf8("late")))), "close:1000");
        row("7.10 two closes", (c, d) -> c.send(concat(Frames.close(1000, new byte[0]), Frames.close(1001, new byte[0]))),
                "close:1000");
        for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
            4000, 4999}) {
            row("7.7 valid close code " + code, (c, d) -> c.send(Frames.close(code, new byte[0])), "close:" + code);
        }
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
            row("7.9 invalid close code " + code, (c, d) -> c.send(Frames.close(code, new byte[0])), "close:1002");
        }
    }

    // 9: max-frame-size 1k and max-message-size 4k
    static void limits() {
        row("9 a frame of max-frame-size", "/limits", "", (c, d) -> c.send(frame(true, 0, TEXT, utf8("a".repeat(1024)))),
                "text:" + "a".repeat(1024));
        row("9 a frame past max-frame-size", "/limits", "", (c, d) -> c.send(frame(true, 0, TEXT, utf8("a".repeat(1025)))),
                "close:1009");
        row("9 a binary frame past max-frame-size", "/limits", "", (c, d) -> c.send(frame(true, 0, BINARY, new byte[1025])),
                "close:1009");
        row("9 a message of max-message-size in fragments", "/limits", "", (c, d) -> c.send(frame(false, 0, TEXT,
                utf8("a".repeat(1024))), frame(false, 0, CONTINUATION, utf8("a".repeat(1024))), frame(false, 0, CONTINUATION,
                utf8("a".repeat(1024))), frame(true, 0, CONTINUATION, utf8("a".repeat(1024)))), "text:" + "a".repeat(4096));
        row("9 a message past max-message-size in fragments", "/limits", "", (c, d) -> c.send(frame(false, 0, BINARY,
                new byte[1024]), frame(false, 0, CONTINUATION, new byte[1024]), frame(false, 0, CONTINUATION, new byte[1024]),
                frame(false, 0, CONTINUATION, new byte[1024]), frame(true, 0, CONTINUATION, new byte[1])), "close:1009");
    }

    /** The client's side of permessage-deflate: raw DEFLATE with the 00 00 ff ff tail removed (RFC 7692 §7.2.1). */
    static final class Deflate {
        final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        final Inflater inflater = new Inflater(true);

        byte[] compress(byte[] data) {
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
                out.write(buf, 0, n);
                if (n < buf.length) {
                    break;
                }
            }
            byte[] all = out.toByteArray();
            return Arrays.copyOf(all, all.length - 4);
        }

        String inflate(byte[] data) {
            inflater.setInput(concat(data, new byte[] {0, 0, (byte) 0xff, (byte) 0xff}));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = inflater.inflate(buf)) > 0) {
                    out.write(buf, 0, n);
                }
            } catch (DataFormatException e) {
                throw new IllegalStateException(e);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    // 12/13: permessage-deflate
    static void compression() {
        String offer = "Sec-WebSocket-Extensions: permessage-deflate\r\n";
        row("12.1 a compressed message", "/deflate", offer, (c, d) -> c.send(frame(true, 4, TEXT, d.compress(utf8("Hello")))),
                "deflated:Hello");
        String repeated = "The quick brown fox jumps over the lazy dog. ".repeat(250);
        row("12.2 a compressed message of 11 KB", "/deflate", offer, (c, d) -> c.send(frame(true, 4, TEXT,
                d.compress(utf8(repeated)))), "deflated:" + repeated);
        row("12.3 five messages sharing the context", "/deflate", offer, (c, d) -> {
            for (int i = 0; i < 5; i++) {
                c.send(frame(true, 4, TEXT, d.compress(utf8("message " + i))));
            }
        }, "deflated:message 0", "deflated:message 1", "deflated:message 2", "deflated:message 3", "deflated:message 4");
        row("12.4 an uncompressed message on a compressed connection", "/deflate", offer, (c, d) -> c.send(Frames.text("plain")),
                "deflated:plain");
        row("12.5 a compressed message in two fragments", "/deflate", offer, (c, d) -> {
            byte[] z = d.compress(utf8("fragmented and compressed"));
            c.send(frame(false, 4, TEXT, Arrays.copyOf(z, 5)), frame(true, 0, CONTINUATION, Arrays.copyOfRange(z, 5, z.length)));
        }, "deflated:fragmented and compressed");
        row("12.6 RSV 1 on a continuation", "/deflate", offer, (c, d) -> c.send(frame(false, 4, TEXT, d.compress(utf8("a"))),
                frame(true, 4, CONTINUATION, new byte[] {0})), "close:1002");
        row("12.7 RSV 1 on a ping", "/deflate", offer, (c, d) -> c.send(frame(true, 4, PING, utf8("p"))), "close:1002");
        row("12.9 RSV 2 on a compressed message", "/deflate", offer, (c, d) -> c.send(frame(true, 6, TEXT, d.compress(utf8("a")))),
                "close:1002");
        row("12.8 a message inflating past max-message-size", "/deflate", offer, (c, d) -> c.send(frame(true, 4, BINARY,
                d.compress(new byte[2 * 1024 * 1024]))), "close:1009");
        row("13.1 server_no_context_takeover and client_max_window_bits offered", "/deflate",
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits\r\n",
                (c, d) -> c.send(frame(true, 4, TEXT, d.compress(utf8("one"))), frame(true, 4, TEXT, d.compress(utf8("two")))),
                "deflated:one", "deflated:two");
        row("13.2 an offer with an unknown parameter is not taken", "/deflate",
                "Sec-WebSocket-Extensions: permessage-deflate; unknown=1\r\n",
                (c, d) -> c.send(Frames.text("plain"), frame(true, 4, TEXT, utf8("x"))), "text:plain", "close:1002");
        for (String[] declined : new String[][] {{"server_max_window_bits=10", "a smaller server window (it needs JZlib)"},
            {"server_max_window_bits=abc", "a window size that is not a number"},
            {"server_max_window_bits", "a server window without its value"},
            {"server_no_context_takeover; server_no_context_takeover", "a parameter twice"},
            {"client_no_context_takeover=1", "a context flag with a value"},
            {"client_max_window_bits=16", "a window past 15"}}) {
            row("13 declined: " + declined[1], "/deflate", "Sec-WebSocket-Extensions: permessage-deflate; " + declined[0] + "\r\n",
                    (c, d) -> c.send(Frames.text("plain")), "text:plain");
        }
        row("13.3 a declined offer, then one taken", "/deflate",
                "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10, permessage-deflate\r\n",
                (c, d) -> c.send(frame(true, 4, TEXT, d.compress(utf8("second offer")))), "deflated:second offer");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void row(String id, Case row) throws Exception {
        try (Frames.Conn c = new Frames.Conn(engine.port(), row.path(), row.extensions())) {
            Deflate deflate = new Deflate();
            boolean deflated = c.header("Sec-WebSocket-Extensions") != null;
            if (id.startsWith("13.1")) {
                assertThat(c.header("Sec-WebSocket-Extensions")).contains("server_no_context_takeover");
            }
            List<String> expected = new ArrayList<>(row.expected());
            try {
                row.script().run(c, deflate);
            } catch (IOException closedEarly) {
                // the server failed the connection before the script's last bytes: fine when a failure is expected
                assertThat(expected).as("the server closed early: %s", closedEarly).anyMatch(e -> e.startsWith("close:10")
                        && !e.equals("close:1000"));
            }
            if (expected.stream().noneMatch(e -> e.startsWith("close:"))) {
                c.send(Frames.close(1000, new byte[0]));
                expected.add("close:1000");
            }
            List<String> got = new ArrayList<>();
            for (Frames.Frame f : c.until(5000)) {
                if (f.opcode() == -1) {
                    continue; // a reset after the server's close (the client's late bytes were unread): the end
                }
                if (deflated && f.rsv() == 4 && (f.opcode() == TEXT || f.opcode() == BINARY)) {
                    got.add("deflated:" + deflate.inflate(f.payload()));
                } else if (deflated && (f.opcode() == TEXT)) {
                    got.add("deflated:" + new String(f.payload(), StandardCharsets.UTF_8));
                } else {
                    got.add(f.toString());
                }
            }
            assertThat(got).as("the server's frames").containsExactlyElementsOf(expected);
            assertThat(c.closedByServer()).as("the server closes the connection").isTrue();
        }
    }

    @org.junit.jupiter.api.Test
    void thereAreAtLeast150Rows() {
        assertThat(CASES).hasSizeGreaterThanOrEqualTo(150);
    }
}
