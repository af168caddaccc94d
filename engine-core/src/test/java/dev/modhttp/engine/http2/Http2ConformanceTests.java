package dev.modhttp.engine.http2;

import static dev.modhttp.engine.http2.H2Client.ACK;
import static dev.modhttp.engine.http2.H2Client.CONTINUATION;
import static dev.modhttp.engine.http2.H2Client.DATA;
import static dev.modhttp.engine.http2.H2Client.END_HEADERS;
import static dev.modhttp.engine.http2.H2Client.END_STREAM;
import static dev.modhttp.engine.http2.H2Client.GOAWAY;
import static dev.modhttp.engine.http2.H2Client.HEADERS;
import static dev.modhttp.engine.http2.H2Client.PADDED;
import static dev.modhttp.engine.http2.H2Client.PING;
import static dev.modhttp.engine.http2.H2Client.PREFACE;
import static dev.modhttp.engine.http2.H2Client.PRIORITY;
import static dev.modhttp.engine.http2.H2Client.PRIORITY_FLAG;
import static dev.modhttp.engine.http2.H2Client.PUSH_PROMISE;
import static dev.modhttp.engine.http2.H2Client.RST_STREAM;
import static dev.modhttp.engine.http2.H2Client.SETTINGS;
import static dev.modhttp.engine.http2.H2Client.SETTINGS_ENABLE_PUSH;
import static dev.modhttp.engine.http2.H2Client.SETTINGS_HEADER_TABLE_SIZE;
import static dev.modhttp.engine.http2.H2Client.SETTINGS_INITIAL_WINDOW_SIZE;
import static dev.modhttp.engine.http2.H2Client.SETTINGS_MAX_CONCURRENT_STREAMS;
import static dev.modhttp.engine.http2.H2Client.SETTINGS_MAX_FRAME_SIZE;
import static dev.modhttp.engine.http2.H2Client.SETTINGS_MAX_HEADER_LIST_SIZE;
import static dev.modhttp.engine.http2.H2Client.WINDOW_UPDATE;
import static dev.modhttp.engine.http2.H2Client.concat;
import static dev.modhttp.engine.http2.H2Client.frameBytes;
import static dev.modhttp.engine.http2.H2Client.hpackInt;
import static dev.modhttp.engine.http2.H2Client.int32;
import static dev.modhttp.engine.http2.H2Client.literals;
import static dev.modhttp.engine.http2.H2Client.settings;
import static dev.modhttp.engine.http2.H2Client.string;
import static io.netty.handler.codec.http2.Http2Error.COMPRESSION_ERROR;
import static io.netty.handler.codec.http2.Http2Error.FLOW_CONTROL_ERROR;
import static io.netty.handler.codec.http2.Http2Error.FRAME_SIZE_ERROR;
import static io.netty.handler.codec.http2.Http2Error.PROTOCOL_ERROR;
import static io.netty.handler.codec.http2.Http2Error.REFUSED_STREAM;
import static io.netty.handler.codec.http2.Http2Error.STREAM_CLOSED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.TestEngine;
import io.netty.handler.codec.http2.Http2Error;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/2 conformance in the manner of h2spec's "http2" and "hpack" groups, which cannot be
 * installed here: each row sends raw frames on its own h2c connection to one engine and asserts
 * what RFC 9113 (HTTP/2) or RFC 7541 (HPACK) requires of a server. A row's id names the section
 * ("hpack" for RFC 7541) and a number; its name states the frames sent and the observable result:
 * a connection error (GOAWAY with the code, then the server closes the connection, §5.4.1), a
 * stream error (RST_STREAM with the code on that stream, after which the connection still serves
 * a GET, §5.4.2), a normal response, or a frame ignored (a following GET is answered 200).
 *
 * <p>Where the RFC names more than one outcome for a case (a section that says stream error where
 * another says connection error, a MAY), the row accepts those alternatives and says why; otherwise
 * it holds the server to the error class and code the section names. Request header blocks are
 * HPACK literals without indexing ({@link H2Client#literals}), so that each row controls the
 * order and content of its fields and no row depends on the dynamic table unless it is about it.
 *
 * <p>Covered: frame format and size (§4.1, §4.2), field blocks (§4.3), stream states, identifiers
 * and concurrency (§5.1, §5.1.1, §5.1.2), flow control (§5.2, §6.9, §6.9.1, §6.9.2), error handling
 * (§5.4), extensions (§5.5), each frame type (§6.1 to §6.10), error codes (§7), HTTP message
 * framing, malformed messages, field validity, connection-specific fields, cookies and
 * pseudo-header fields (§8.1 to §8.4), and HPACK decoding errors (RFC 7541 §2.3, §4.2, §5.1, §5.2,
 * §6.1 to §6.3).
 */
@Timeout(120)
class Http2ConformanceTests {

    record Hold(Boolean enabled) {
    }

    record Blob(Boolean enabled) {
    }

    /** A location whose request never completes (PREACCESS waits forever): its stream stays open. */
    static final ConfigSpec<Hold> HOLD = ConfigSpec.block("hold", Hold.class).scopes(Scope.LOCATION).build();
    /** A location that answers {@link #BLOB_SIZE} bytes: more than the default flow-control windows. */
    static final ConfigSpec<Blob> BLOB = ConfigSpec.block("blob", Blob.class).scopes(Scope.LOCATION).build();
    static final int BLOB_SIZE = 100_000;
    static final int DEFAULT_WINDOW = 65_535;
    static final int MAX_WINDOW = Integer.MAX_VALUE;
    private static final AtomicInteger BARRIERS = new AtomicInteger();

    static TestEngine engine;

    @BeforeAll
    static void start() {
        engine = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2: on
                    locations:
                      - location: /
                        return: "200 ok"
                      - location: /hdr
                        return: "200 x-a=$http_x_a cookie=$http_cookie"
                      - location: /echo
                        echo: { enabled: true }
                      - location: /hold
                        hold: { enabled: true }
                      - location: /blob
                        blob: { enabled: true }
                """, b -> b.module(Http2Tests.echo()).module(conformance()));
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    static Module conformance() {
        byte[] blob = new byte[BLOB_SIZE];
        Arrays.fill(blob, (byte) 'b');
        return new Module() {
            @Override
            public List<ConfigSpec<?>> configs() {
                return List.of(HOLD, BLOB);
            }

            @Override
            public void register(ModuleRegistry r) {
                r.handler(Phase.PREACCESS, ex -> Result.pending(new CompletableFuture<>())).onlyWhere(HOLD);
                r.contentHandler(BLOB, ex -> {
                    ex.response().contentType("application/octet-stream").body(blob);
                    return Result.OK;
                });
            }
        };
    }

    // ---- the table ------------------------------------------------------------------------------

    /** What a row does on its connection. */
    @FunctionalInterface
    interface Check {
        void run(H2Client c) throws Exception;
    }

    /**
     * One row: {@code settled} rows start on a connection past the preface and the SETTINGS
     * exchange ({@link H2Client#open}), the others on a bare TCP connection.
     */
    record Row(String id, String name, boolean settled, Check check) {
        @Override
        public String toString() {
            return id + " " + name;
        }
    }

    static Row row(String id, String name, Check check) {
        return new Row(id, name, true, check);
    }

    static Row bare(String id, String name, Check check) {
        return new Row(id, name, false, check);
    }

    static Stream<Row> rows() {
        return Stream.of(framing(), streams(), flowControl(), frames(), http(), hpack()).flatMap(List::stream);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void conforms(Row row) throws Exception {
        try (H2Client c = H2Client.connect(engine.port())) {
            if (row.settled()) {
                c.open();
            }
            row.check().run(c);
        } catch (AssertionError | Exception e) {
            throw new AssertionError(row + ": " + e.getMessage(), e); // the report names the row, not its index
        }
    }

    // ---- §3.4, §4: preface, frame format, frame size, field blocks --------------------------------

    static List<Row> framing() {
        return List.of(
            bare("3.4/1", "preface and SETTINGS -> the server's first frame is a SETTINGS frame, then it ACKs ours", c -> {
                c.raw(concat(PREFACE, frameBytes(SETTINGS, 0, 0, new byte[0])));
                H2Client.Frame first = c.read();
                assertThat(first.type()).as("first frame %s", first).isEqualTo(SETTINGS);
                assertThat(first.flags() & ACK).isZero();
                assertThat(first.payload().length % 6).isZero();
                c.until(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
            }),
            bare("3.4/2", "preface followed by PING instead of SETTINGS -> connection error PROTOCOL_ERROR"
                    + " (§3.4 lets the GOAWAY be omitted)", c -> {
                c.raw(concat(PREFACE, frameBytes(PING, 0, 0, new byte[8])));
                Outcome o = observe(c, 0);
                assertThat(o.kind() == Kind.CLOSED || o.isGoaway(PROTOCOL_ERROR) && o.closed())
                        .as("expected GOAWAY(PROTOCOL_ERROR) and close, or close; observed %s", o).isTrue();
            }),
            row("4.1/1", "frame of unknown type 0x16 on stream 0 -> ignored", c -> {
                c.frame(0x16, 0, 0, bytes("ignore me"));
                serves(c, 1);
            }),
            row("4.1/2", "PING with undefined flags 0xfe -> flags ignored, PING ACK with the same payload", c -> {
                c.frame(PING, 0xfe, 0, bytes("flags!!!"));
                H2Client.Frame ack = c.until(f -> f.type() == PING);
                assertThat(ack.flags() & ACK).isEqualTo(ACK);
                assertThat(ack.payload()).isEqualTo(bytes("flags!!!"));
            }),
            row("4.1/3", "HEADERS with the reserved bit of the stream identifier set -> bit ignored, response on stream 1",
                    c -> {
                byte[] f = frameBytes(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                f[5] |= (byte) 0x80;
                c.raw(f);
                answered(c, 1, "200");
            }),
            row("4.1/4", "HEADERS with undefined flags 0xd2 -> flags ignored, response 200", c -> {
                c.frame(HEADERS, 0xd2 | END_HEADERS | END_STREAM, 1, get("/"));
                answered(c, 1, "200");
            }),
            row("4.1/5", "DATA with undefined flags 0xf6 -> flags ignored, the body reaches the handler", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo"));
                c.frame(DATA, 0xf6 | END_STREAM, 1, bytes("hello"));
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST hello");
            }),
            row("4.2/1", "DATA of 16384 octets (SETTINGS_MAX_FRAME_SIZE) -> accepted", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo", "content-length", "16384"));
                c.frame(DATA, END_STREAM, 1, filled(16384, 'd'));
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST " + "d".repeat(16384));
            }),
            row("4.2/2", "DATA of 16385 octets -> FRAME_SIZE_ERROR (§4.2: a DATA frame does not alter connection state,"
                    + " so a stream or a connection error)", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(DATA, 0, 1, filled(16385, 'd'));
                streamOrConnectionError(c, 1, 3, FRAME_SIZE_ERROR);
            }),
            row("4.2/3", "HEADERS of 16385 octets -> connection error FRAME_SIZE_ERROR (it carries a field block)", c -> {
                byte[] block = concat(get("/"), literals("x-big", "b".repeat(16384)));
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, Arrays.copyOf(block, 16385));
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("4.2/4", "HEADERS with PRIORITY flag and a 4-octet payload (too small for its priority fields)"
                    + " -> connection error FRAME_SIZE_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM | PRIORITY_FLAG, 1, new byte[4]);
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("4.2/5", "PADDED DATA with an empty payload (no room for Pad Length) -> FRAME_SIZE_ERROR,"
                    + " stream or connection error", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(DATA, PADDED, 1, new byte[0]);
                streamOrConnectionError(c, 1, 3, FRAME_SIZE_ERROR);
            }),
            bare("4.2/6", "response DATA never exceeds the client's SETTINGS_MAX_FRAME_SIZE (16384)", c -> {
                c.open(SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20);
                c.frame(WINDOW_UPDATE, 0, 0, int32(1 << 20));
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/blob"));
                int total = 0;
                while (true) {
                    H2Client.Frame f = c.read();
                    if (f.type() == DATA && f.stream() == 1) {
                        assertThat(f.payload().length).isLessThanOrEqualTo(16384);
                        total += f.payload().length;
                    }
                    assertThat(f.type()).isNotIn(GOAWAY, RST_STREAM);
                    if (f.stream() == 1 && f.endStream()) {
                        break;
                    }
                }
                assertThat(total).isEqualTo(BLOB_SIZE);
            }),
            row("4.3/1", "field block that ends inside an HPACK integer -> connection error COMPRESSION_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(get("/"), new byte[] {(byte) 0xff}));
                connectionError(c, COMPRESSION_ERROR);
            }),
            row("4.3/2", "PING between HEADERS and its CONTINUATION -> connection error PROTOCOL_ERROR", c -> {
                byte[] block = get("/");
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, Arrays.copyOf(block, 10)),
                        frameBytes(PING, 0, 0, new byte[8]),
                        frameBytes(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, 10, block.length))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("4.3/3", "CONTINUATION on another stream than its HEADERS -> connection error PROTOCOL_ERROR", c -> {
                byte[] block = get("/");
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, Arrays.copyOf(block, 10)),
                        frameBytes(CONTINUATION, END_HEADERS, 3, Arrays.copyOfRange(block, 10, block.length))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("4.3/4", "the field block of a request refused as malformed still updates the HPACK table:"
                    + " its indexed field is found at index 62 on the next stream", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1,
                        concat(get("/hdr"), indexed("x-a", "1"), literals("X-Upper", "v")));
                malformed(c, 1);
                c.frame(HEADERS, END_HEADERS | END_STREAM, 5, concat(get("/hdr"), new byte[] {(byte) 0xbe}));
                assertThat(answered(c, 5, "200").body()).startsWith("x-a=1 ");
            }));
    }

    // ---- §5.1, §5.1.1, §5.1.2, §5.4, §5.5: streams, errors, extensions ---------------------------

    static List<Row> streams() {
        return List.of(
            row("5.1/1", "idle stream: DATA -> connection error PROTOCOL_ERROR", c -> {
                c.frame(DATA, END_STREAM, 1, bytes("x"));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("5.1/2", "idle stream: RST_STREAM -> connection error PROTOCOL_ERROR", c -> {
                c.frame(RST_STREAM, 0, 1, int32(8));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("5.1/3", "idle stream: WINDOW_UPDATE -> connection error PROTOCOL_ERROR", c -> {
                c.frame(WINDOW_UPDATE, 0, 1, int32(100));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("5.1/4", "idle stream: CONTINUATION -> connection error PROTOCOL_ERROR", c -> {
                c.frame(CONTINUATION, END_HEADERS, 1, get("/"));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("5.1/5", "half-closed (remote): DATA -> stream error STREAM_CLOSED", c -> {
                holdHalfClosed(c, 1);
                c.frame(DATA, 0, 1, bytes("x"));
                streamError(c, 1, 3, STREAM_CLOSED);
            }),
            row("5.1/6", "half-closed (remote): HEADERS -> stream error STREAM_CLOSED (or PROTOCOL_ERROR, the generic"
                    + " code §5.4 allows in place of a specific one)", c -> {
                holdHalfClosed(c, 1);
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, literals("x-trailer", "1"));
                streamError(c, 1, 3, STREAM_CLOSED, PROTOCOL_ERROR);
            }),
            row("5.1/7", "half-closed (remote): CONTINUATION -> connection error PROTOCOL_ERROR (§6.10: no open field"
                    + " block) or STREAM_CLOSED (§5.1)", c -> {
                holdHalfClosed(c, 1);
                c.frame(CONTINUATION, END_HEADERS, 1, literals("x-trailer", "1"));
                errorOf(c, 1, 3, Map.of(PROTOCOL_ERROR, false, STREAM_CLOSED, true));
            }),
            row("5.1/8", "half-closed (remote): WINDOW_UPDATE -> accepted", c -> {
                holdHalfClosed(c, 1);
                c.frame(WINDOW_UPDATE, 0, 1, int32(1000));
                serves(c, 3);
            }),
            row("5.1/9", "half-closed (remote): PRIORITY -> accepted", c -> {
                holdHalfClosed(c, 1);
                c.frame(PRIORITY, 0, 1, priority(0, false, 200));
                serves(c, 3);
            }),
            row("5.1/10", "half-closed (remote): RST_STREAM -> the stream closes, no RST_STREAM in reply (§5.4.2)", c -> {
                holdHalfClosed(c, 1);
                c.frame(RST_STREAM, 0, 1, int32(Http2Error.CANCEL.code()));
                serves(c, 3);
            }),
            row("5.1/11", "closed by the client's RST_STREAM: DATA -> stream error STREAM_CLOSED", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(RST_STREAM, 0, 1, int32(Http2Error.CANCEL.code()));
                c.frame(DATA, 0, 1, bytes("x"));
                streamError(c, 1, 3, STREAM_CLOSED);
            }),
            row("5.1/12", "closed by the client's RST_STREAM: HEADERS -> stream error STREAM_CLOSED (§5.1),"
                    + " or connection error STREAM_CLOSED or PROTOCOL_ERROR (§5.1.1: the identifier is not new)", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(RST_STREAM, 0, 1, int32(Http2Error.CANCEL.code()));
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, literals("x-trailer", "1"));
                errorOf(c, 1, 3, Map.of(STREAM_CLOSED, true, PROTOCOL_ERROR, false));
            }),
            row("5.1/13", "closed by the client's RST_STREAM: CONTINUATION -> connection error PROTOCOL_ERROR (§6.10)"
                    + " or STREAM_CLOSED (§5.1)", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(RST_STREAM, 0, 1, int32(Http2Error.CANCEL.code()));
                c.frame(CONTINUATION, END_HEADERS, 1, literals("x-trailer", "1"));
                errorOf(c, 1, 3, Map.of(PROTOCOL_ERROR, false, STREAM_CLOSED, true));
            }),
            row("5.1/14", "closed after both END_STREAMs: DATA -> STREAM_CLOSED, a stream error (§6.1) or a connection"
                    + " error (§5.1)", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                answered(c, 1, "200");
                c.frame(DATA, 0, 1, bytes("x"));
                streamOrConnectionError(c, 1, 3, STREAM_CLOSED);
            }),
            row("5.1/15", "closed after both END_STREAMs: HEADERS -> STREAM_CLOSED, stream or connection error (§5.1),"
                    + " or connection error PROTOCOL_ERROR (§5.1.1)", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                answered(c, 1, "200");
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                errorOf(c, 1, 3, Map.of(STREAM_CLOSED, true, PROTOCOL_ERROR, false));
            }),
            row("5.1/16", "closed after both END_STREAMs: CONTINUATION -> connection error PROTOCOL_ERROR (§6.10)"
                    + " or STREAM_CLOSED (§5.1)", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                answered(c, 1, "200");
                c.frame(CONTINUATION, END_HEADERS, 1, literals("x-a", "1"));
                errorOf(c, 1, 3, Map.of(PROTOCOL_ERROR, false, STREAM_CLOSED, true));
            }),
            row("5.1/17", "closed: PRIORITY -> accepted (§6.3: any stream state)", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                answered(c, 1, "200");
                c.frame(PRIORITY, 0, 1, priority(0, false, 16));
                serves(c, 3);
            }),
            row("5.1/18", "closed: WINDOW_UPDATE -> accepted (§6.9: MUST NOT be treated as an error)", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                answered(c, 1, "200");
                c.frame(WINDOW_UPDATE, 0, 1, int32(1000));
                serves(c, 3);
            }),
            row("5.1/19", "closed: RST_STREAM -> accepted, no RST_STREAM in reply", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                answered(c, 1, "200");
                c.frame(RST_STREAM, 0, 1, int32(Http2Error.CANCEL.code()));
                serves(c, 3);
            }),
            row("5.1.1/1", "HEADERS on an even-numbered stream -> connection error PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 2, get("/"));
                connectionError(c, PROTOCOL_ERROR);
            }),
            // RFC 9113 asks for a connection error PROTOCOL_ERROR; Netty's codec resets the stream
            // (STREAM_CLOSED) and the connection goes on: a difference the README lists
            row("5.1.1/2", "HEADERS on stream 3 after stream 5 -> never served: RST_STREAM STREAM_CLOSED (known"
                    + " difference: RFC 9113 asks for GOAWAY PROTOCOL_ERROR)", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 5, get("/"));
                answered(c, 5, "200");
                c.frame(HEADERS, END_HEADERS | END_STREAM, 3, get("/"));
                streamError(c, 3, 7, STREAM_CLOSED);
            }),
            row("5.1.1/3", "first stream 7 (1, 3, 5 skipped) -> served, and so is stream 9", c -> {
                serves(c, 7);
                serves(c, 9);
            }),
            row("5.1.1/4", "HEADERS on stream 2^31-1 -> served", c -> serves(c, MAX_WINDOW)),
            row("5.1.2/1", "a 129th concurrent stream (SETTINGS_MAX_CONCURRENT_STREAMS 128) -> stream error"
                    + " REFUSED_STREAM or PROTOCOL_ERROR, unanswered; a slot freed by RST_STREAM is usable", c -> {
                for (int i = 0; i < 128; i++) {
                    c.frame(HEADERS, END_HEADERS | END_STREAM, 1 + 2 * i, get("/hold"));
                }
                c.frame(HEADERS, END_HEADERS | END_STREAM, 257, get("/"));
                Outcome o = observe(c, 257);
                assertThat(o.isReset(257, REFUSED_STREAM, PROTOCOL_ERROR) && o.status() == null)
                        .as("expected RST_STREAM(257, REFUSED_STREAM or PROTOCOL_ERROR); observed %s", o).isTrue();
                c.frame(RST_STREAM, 0, 1, int32(Http2Error.CANCEL.code()));
                serves(c, 259);
            }),
            row("5.4.1/1", "connection error after streams 1 and 3 were answered -> GOAWAY whose last stream id is at"
                    + " least 3 (§6.8: streams above it count as unprocessed; §5.4.1 SHOULD name exactly 3), then close",
                    c -> {
                serves(c, 1);
                serves(c, 3);
                c.frame(PING, 0, 0, new byte[6]);
                Outcome o = observe(c, 0);
                assertThat(o.isGoaway(FRAME_SIZE_ERROR) && o.stream() >= 3 && o.closed())
                        .as("expected GOAWAY(last stream >= 3, FRAME_SIZE_ERROR) and close; observed %s", o).isTrue();
            }),
            row("5.4.2/1", "a stream error on stream 3 leaves open stream 1 working: its body and response complete",
                    c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo"));
                c.frame(HEADERS, END_HEADERS | END_STREAM, 3, concat(get("/"), literals("X-Upper", "1")));
                Outcome o = observe(c, 3);
                assertThat(o.isReset(3, PROTOCOL_ERROR)).as("expected RST_STREAM(3, PROTOCOL_ERROR); observed %s", o)
                        .isTrue();
                c.frame(DATA, END_STREAM, 1, bytes("abc"));
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST abc");
            }),
            row("5.5/1", "unknown frame type 0xfa with all flags on idle stream 1 -> ignored, stream 1 still opens", c -> {
                c.frame(0xfa, 0xff, 1, bytes("extension"));
                serves(c, 1);
            }),
            row("5.5/2", "unknown frame type in the middle of a field block -> connection error PROTOCOL_ERROR", c -> {
                byte[] block = get("/");
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, Arrays.copyOf(block, 10)),
                        frameBytes(0xfa, 0, 1, bytes("extension")),
                        frameBytes(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, 10, block.length))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("5.5/3", "unknown frame type on an open stream -> ignored, the request completes", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo"));
                c.frame(0xfa, 0, 1, bytes("extension"));
                c.frame(DATA, END_STREAM, 1, bytes("x"));
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST x");
            }),
            row("7/1", "RST_STREAM with an unknown error code 0xff -> no special behaviour: stream closed, no reply",
                    c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(RST_STREAM, 0, 1, int32(0xff));
                serves(c, 3);
            }));
    }

    // ---- §5.2, §6.9: flow control ---------------------------------------------------------------

    static List<Row> flowControl() {
        return List.of(
            row("5.2/1", "the server sends no more than the stream window (65535) until a WINDOW_UPDATE opens it", c -> {
                c.frame(WINDOW_UPDATE, 0, 0, int32(1 << 20));
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/blob"));
                assertThat(data(c, 1, DEFAULT_WINDOW)).isEqualTo(DEFAULT_WINDOW);
                assertThat(dataUntilBarrier(c, 1)).as("DATA beyond the stream window").isZero();
                c.frame(WINDOW_UPDATE, 0, 1, int32(BLOB_SIZE));
                assertThat(data(c, 1, BLOB_SIZE - DEFAULT_WINDOW)).isEqualTo(BLOB_SIZE - DEFAULT_WINDOW);
            }),
            bare("5.2/2", "with SETTINGS_INITIAL_WINDOW_SIZE 0 the server sends the response HEADERS (not flow"
                    + " controlled) and holds DATA", c -> {
                c.open(SETTINGS_INITIAL_WINDOW_SIZE, 0);
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/"));
                H2Client.Frame head = c.until(f -> f.stream() == 1);
                assertThat(head.type()).as("first frame on stream 1: %s", head).isEqualTo(HEADERS);
                assertThat(dataUntilBarrier(c, 1)).isZero();
            }),
            row("6.9/1", "WINDOW_UPDATE of 0 on the connection -> connection error PROTOCOL_ERROR", c -> {
                c.frame(WINDOW_UPDATE, 0, 0, int32(0));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.9/2", "WINDOW_UPDATE of 0 on an open stream -> stream error PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(WINDOW_UPDATE, 0, 1, int32(0));
                streamError(c, 1, 3, PROTOCOL_ERROR);
            }),
            row("6.9/3", "WINDOW_UPDATE of 3 octets on the connection -> connection error FRAME_SIZE_ERROR", c -> {
                c.frame(WINDOW_UPDATE, 0, 0, new byte[] {0, 0, 1});
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("6.9/4", "WINDOW_UPDATE of 5 octets on a stream -> connection error FRAME_SIZE_ERROR", c -> {
                holdHalfClosed(c, 1);
                c.frame(WINDOW_UPDATE, 0, 1, new byte[] {0, 0, 0, 1, 0});
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            bare("6.9.1/1", "SETTINGS_INITIAL_WINDOW_SIZE 1 -> the first DATA frame carries 1 octet", c -> {
                c.open(SETTINGS_INITIAL_WINDOW_SIZE, 1);
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/blob"));
                H2Client.Frame f = c.until(x -> x.type() == DATA && x.stream() == 1);
                assertThat(f.payload().length).isEqualTo(1);
                assertThat(dataUntilBarrier(c, 1)).isZero();
            }),
            row("6.9.1/2", "WINDOW_UPDATE taking the connection window above 2^31-1 -> connection error"
                    + " FLOW_CONTROL_ERROR", c -> {
                c.frame(WINDOW_UPDATE, 0, 0, int32(MAX_WINDOW));
                connectionError(c, FLOW_CONTROL_ERROR);
            }),
            row("6.9.1/3", "WINDOW_UPDATE taking a stream window above 2^31-1 -> stream error FLOW_CONTROL_ERROR", c -> {
                holdHalfClosed(c, 1);
                c.frame(WINDOW_UPDATE, 0, 1, int32(MAX_WINDOW));
                streamError(c, 1, 3, FLOW_CONTROL_ERROR);
            }),
            row("6.9.1/4", "connection window raised to exactly 2^31-1 -> accepted; one octet more -> connection error"
                    + " FLOW_CONTROL_ERROR", c -> {
                c.frame(WINDOW_UPDATE, 0, 0, int32(MAX_WINDOW - DEFAULT_WINDOW));
                dataUntilBarrier(c, 0);
                c.frame(WINDOW_UPDATE, 0, 0, int32(1));
                connectionError(c, FLOW_CONTROL_ERROR);
            }),
            bare("6.9.2/1", "SETTINGS_INITIAL_WINDOW_SIZE raised from 0 to 3 while a response waits -> the open stream"
                    + " gets 3 octets", c -> {
                c.open(SETTINGS_INITIAL_WINDOW_SIZE, 0);
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/blob"));
                c.until(f -> f.type() == HEADERS && f.stream() == 1);
                assertThat(dataUntilBarrier(c, 1)).isZero();
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_INITIAL_WINDOW_SIZE, 3));
                assertThat(data(c, 1, 3)).isEqualTo(3);
                assertThat(dataUntilBarrier(c, 1)).isZero();
            }),
            bare("6.9.2/2", "SETTINGS_INITIAL_WINDOW_SIZE lowered below what was sent -> the server keeps the negative"
                    + " window: nothing after +3, 2 octets after +2 more", c -> {
                c.open(SETTINGS_INITIAL_WINDOW_SIZE, 3);
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/blob"));
                assertThat(data(c, 1, 3)).isEqualTo(3);
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_INITIAL_WINDOW_SIZE, 0));
                c.until(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
                c.frame(WINDOW_UPDATE, 0, 1, int32(3));
                assertThat(dataUntilBarrier(c, 1)).as("DATA while the window is 0").isZero();
                c.frame(WINDOW_UPDATE, 0, 1, int32(2));
                assertThat(data(c, 1, 2)).isEqualTo(2);
                assertThat(dataUntilBarrier(c, 1)).isZero();
            }),
            // RFC 9113 asks for a connection error; Netty's codec resets each overflowing stream with
            // FLOW_CONTROL_ERROR and the connection goes on: a difference the README lists
            row("6.9.2/3", "SETTINGS_INITIAL_WINDOW_SIZE change taking an open stream's window above 2^31-1"
                    + " -> that stream reset FLOW_CONTROL_ERROR (known difference: RFC 9113 asks for GOAWAY)", c -> {
                holdHalfClosed(c, 1);
                c.frame(WINDOW_UPDATE, 0, 1, int32(MAX_WINDOW - DEFAULT_WINDOW));
                dataUntilBarrier(c, 1);
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_INITIAL_WINDOW_SIZE, DEFAULT_WINDOW + 1));
                streamError(c, 1, 3, FLOW_CONTROL_ERROR);
            }),
            bare("6.9.2/4", "SETTINGS_INITIAL_WINDOW_SIZE does not change the connection window: 65535 octets, then"
                    + " the rest after a connection WINDOW_UPDATE", c -> {
                c.open(SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20);
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/blob"));
                assertThat(data(c, 1, DEFAULT_WINDOW)).isEqualTo(DEFAULT_WINDOW);
                assertThat(dataUntilBarrier(c, 1)).as("DATA beyond the connection window").isZero();
                c.frame(WINDOW_UPDATE, 0, 0, int32(BLOB_SIZE));
                assertThat(data(c, 1, BLOB_SIZE - DEFAULT_WINDOW)).isEqualTo(BLOB_SIZE - DEFAULT_WINDOW);
            }));
    }

    // ---- §6: frame definitions ------------------------------------------------------------------

    static List<Row> frames() {
        List<Row> rows = new ArrayList<>();
        rows.addAll(List.of(
            row("6.1/1", "DATA on stream 0 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(DATA, 0, 0, bytes("x"));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.1/2", "DATA after a request's END_STREAM, in the same segment -> stream error STREAM_CLOSED (the"
                    + " response may come first: the server may answer before it reads the DATA)", c -> {
                c.raw(concat(frameBytes(HEADERS, END_HEADERS | END_STREAM, 1, post("/echo")),
                        frameBytes(DATA, END_STREAM, 1, bytes("late"))));
                Outcome o = observe(c, 1);
                assertThat(o.isReset(1, STREAM_CLOSED)).as("expected RST_STREAM(1, STREAM_CLOSED); observed %s", o)
                        .isTrue();
                serves(c, 3);
            }),
            row("6.1/3", "DATA whose Pad Length is not less than its payload -> connection error PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(DATA, PADDED | END_STREAM, 1, new byte[] {5, 'a', 'b', 0, 0});
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.1/4", "PADDED DATA -> the padding is stripped, the body reaches the handler", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo"));
                c.frame(DATA, PADDED | END_STREAM, 1, padded(7, bytes("hello")));
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST hello");
            }),
            row("6.1/5", "an empty DATA with END_STREAM ends a request body", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo"));
                c.frame(DATA, 0, 1, bytes("abc"));
                c.frame(DATA, END_STREAM, 1, new byte[0]);
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST abc");
            }),
            row("6.2/1", "HEADERS without END_HEADERS followed by PRIORITY -> connection error PROTOCOL_ERROR", c -> {
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, get("/")), frameBytes(PRIORITY, 0, 1, priority(0, false, 16))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.2/2", "HEADERS without END_HEADERS followed by HEADERS on stream 3 -> connection error PROTOCOL_ERROR",
                    c -> {
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, get("/")),
                        frameBytes(HEADERS, END_HEADERS | END_STREAM, 3, get("/"))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.2/3", "HEADERS on stream 0 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 0, get("/"));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.2/4", "HEADERS whose Pad Length is not less than its payload -> connection error PROTOCOL_ERROR", c -> {
                byte[] block = get("/");
                c.frame(HEADERS, PADDED | END_HEADERS | END_STREAM, 1, concat(new byte[] {(byte) (block.length + 1)}, block));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.2/5", "PADDED HEADERS -> served", c -> {
                c.frame(HEADERS, PADDED | END_HEADERS | END_STREAM, 1, padded(16, get("/")));
                answered(c, 1, "200");
            }),
            row("6.2/6", "HEADERS with the deprecated PRIORITY fields -> served", c -> {
                c.frame(HEADERS, PRIORITY_FLAG | END_HEADERS | END_STREAM, 1, concat(priority(0, true, 255), get("/")));
                answered(c, 1, "200");
            }),
            row("6.2/7", "HEADERS with both PADDED and PRIORITY -> served", c -> {
                c.frame(HEADERS, PADDED | PRIORITY_FLAG | END_HEADERS | END_STREAM, 1,
                        padded(4, concat(priority(0, false, 16), get("/"))));
                answered(c, 1, "200");
            }),
            row("6.2/8", "HEADERS whose PRIORITY depends on its own stream -> PROTOCOL_ERROR as a stream error"
                    + " (RFC 7540 §5.3.1) or a connection error (§5.4.1), or served (RFC 9113 drops the rule)", c -> {
                c.frame(HEADERS, PRIORITY_FLAG | END_HEADERS | END_STREAM, 1, concat(priority(1, false, 16), get("/")));
                Outcome o = observe(c, 1);
                if (o.kind() == Kind.GOAWAY) {
                    assertThat(o.isGoaway(PROTOCOL_ERROR) && o.closed()).as("observed %s", o).isTrue();
                } else {
                    assertThat(o.isReset(1, PROTOCOL_ERROR) || o.kind() == Kind.SETTLED && "200".equals(o.status()))
                            .as("expected RST_STREAM(1, PROTOCOL_ERROR) or 200; observed %s", o).isTrue();
                    serves(c, 3);
                }
            }),
            row("6.2/9", "SETTINGS between HEADERS and its CONTINUATION -> connection error PROTOCOL_ERROR", c -> {
                byte[] block = get("/");
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, Arrays.copyOf(block, 10)),
                        frameBytes(SETTINGS, 0, 0, new byte[0]),
                        frameBytes(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, 10, block.length))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.3/1", "PRIORITY on stream 0 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(PRIORITY, 0, 0, priority(1, false, 16));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.3/2", "PRIORITY of 4 octets on idle stream 1 -> stream error FRAME_SIZE_ERROR", c -> {
                c.frame(PRIORITY, 0, 1, new byte[4]);
                streamError(c, 1, 3, FRAME_SIZE_ERROR);
            }),
            row("6.3/3", "PRIORITY of 6 octets on an open stream -> stream error FRAME_SIZE_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(PRIORITY, 0, 1, new byte[6]);
                streamError(c, 1, 3, FRAME_SIZE_ERROR);
            }),
            row("6.3/4", "PRIORITY on idle stream 1 -> ignored, stream 1 stays idle and then opens", c -> {
                c.frame(PRIORITY, 0, 1, priority(0, false, 100));
                serves(c, 1);
            }),
            row("6.3/5", "PRIORITY on an open stream in the middle of its body -> ignored, the request completes", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo"));
                c.frame(DATA, 0, 1, bytes("ab"));
                c.frame(PRIORITY, 0, 1, priority(0, true, 1));
                c.frame(DATA, END_STREAM, 1, bytes("c"));
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST abc");
            }),
            row("6.3/6", "PRIORITY depending on a stream never opened, exclusive, weight 256 -> ignored", c -> {
                c.frame(PRIORITY, 0, 3, priority(99, true, 256));
                serves(c, 1);
            }),
            row("6.3/7", "PRIORITY on idle stream 1 depending on itself -> ignored (RFC 9113) or stream error"
                    + " PROTOCOL_ERROR (RFC 7540 §5.3.1); stream 1 then still opens", c -> {
                c.frame(PRIORITY, 0, 1, priority(1, false, 16));
                List<String> seen = untilBarrier(c).stream().map(Http2ConformanceTests::describe).toList();
                assertThat(seen).as("frames in answer")
                        .isIn(List.of(), List.of("RST_STREAM(stream=1, flags=0x0, PROTOCOL_ERROR)"));
                serves(c, 1);
            }),
            row("6.3/8", "100 PRIORITY frames for idle streams 3..201 -> ignored, stream 1 then opens", c -> {
                for (int s = 3; s <= 201; s += 2) {
                    c.frame(PRIORITY, 0, s, priority(s - 2, false, s % 256 + 1));
                }
                serves(c, 1);
            }),
            row("6.4/1", "RST_STREAM on stream 0 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(RST_STREAM, 0, 0, int32(Http2Error.CANCEL.code()));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.4/2", "RST_STREAM on idle stream 5 while stream 1 is open -> connection error PROTOCOL_ERROR", c -> {
                holdHalfClosed(c, 1);
                c.frame(RST_STREAM, 0, 5, int32(Http2Error.CANCEL.code()));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.4/3", "RST_STREAM of 3 octets -> connection error FRAME_SIZE_ERROR", c -> {
                holdHalfClosed(c, 1);
                c.frame(RST_STREAM, 0, 1, new byte[3]);
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("6.4/4", "RST_STREAM of 5 octets -> connection error FRAME_SIZE_ERROR", c -> {
                holdHalfClosed(c, 1);
                c.frame(RST_STREAM, 0, 1, new byte[5]);
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("6.4/5", "RST_STREAM on an open stream -> nothing more on it, no RST_STREAM in reply", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(RST_STREAM, 0, 1, int32(Http2Error.CANCEL.code()));
                serves(c, 3);
            }),
            row("6.5/1", "SETTINGS with ACK and a payload -> connection error FRAME_SIZE_ERROR", c -> {
                c.frame(SETTINGS, ACK, 0, settings(SETTINGS_INITIAL_WINDOW_SIZE, 100));
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("6.5/2", "SETTINGS on stream 1 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(SETTINGS, 0, 1, new byte[0]);
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.5/3", "SETTINGS of 3 octets -> connection error FRAME_SIZE_ERROR", c -> {
                c.frame(SETTINGS, 0, 0, new byte[] {0, 3, 0});
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("6.5/4", "SETTINGS of 8 octets -> connection error FRAME_SIZE_ERROR", c -> {
                c.frame(SETTINGS, 0, 0, concat(settings(SETTINGS_MAX_CONCURRENT_STREAMS, 10), new byte[2]));
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("6.5.2/1", "SETTINGS_ENABLE_PUSH 2 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_ENABLE_PUSH, 2));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.5.2/2", "SETTINGS_INITIAL_WINDOW_SIZE 2^31 -> connection error FLOW_CONTROL_ERROR", c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_INITIAL_WINDOW_SIZE, 1 << 31));
                connectionError(c, FLOW_CONTROL_ERROR);
            }),
            row("6.5.2/3", "SETTINGS_INITIAL_WINDOW_SIZE 2^32-1 -> connection error FLOW_CONTROL_ERROR", c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_INITIAL_WINDOW_SIZE, 0xffffffff));
                connectionError(c, FLOW_CONTROL_ERROR);
            }),
            row("6.5.2/4", "SETTINGS_MAX_FRAME_SIZE 16383 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_MAX_FRAME_SIZE, 16383));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.5.2/5", "SETTINGS_MAX_FRAME_SIZE 2^24 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_MAX_FRAME_SIZE, 1 << 24));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.5.2/6", "SETTINGS with unknown identifier 0xff -> ignored: ACK, then served", c -> {
                c.frame(SETTINGS, 0, 0, settings(0xff, 7));
                c.until(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
                serves(c, 1);
            }),
            row("6.5.2/7", "SETTINGS_ENABLE_PUSH 0, then 1 -> both accepted and acknowledged", c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_ENABLE_PUSH, 0));
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_ENABLE_PUSH, 1));
                c.until(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
                c.until(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
                serves(c, 1);
            }),
            row("6.5.2/8", "the client's SETTINGS_MAX_CONCURRENT_STREAMS 0 limits only server streams -> requests served",
                    c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_MAX_CONCURRENT_STREAMS, 0));
                serves(c, 1);
                serves(c, 3);
            }),
            bare("6.5.2/9", "SETTINGS_HEADER_TABLE_SIZE 0 -> responses open with a table size update and decode with an"
                    + " empty table (RFC 7541 §4.2)", c -> {
                c.open(SETTINGS_HEADER_TABLE_SIZE, 0);
                c.maxHeaderTableSize(0);
                serves(c, 1);
                serves(c, 3);
            }),
            row("6.5.2/10", "SETTINGS_MAX_FRAME_SIZE 2^24-1 -> accepted", c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_MAX_FRAME_SIZE, (1 << 24) - 1));
                c.until(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
                serves(c, 1);
            }),
            row("6.5.2/11", "the server's SETTINGS are legal: ENABLE_PUSH absent or 0, MAX_CONCURRENT_STREAMS 128,"
                    + " INITIAL_WINDOW_SIZE 65536, MAX_HEADER_LIST_SIZE 32768, MAX_FRAME_SIZE in range", c -> {
                Map<Integer, Long> s = Http2Tests.settingsOf(c.serverSettings());
                assertThat(s.getOrDefault(SETTINGS_ENABLE_PUSH, 0L)).isZero();
                assertThat(s).containsEntry(SETTINGS_MAX_CONCURRENT_STREAMS, 128L)
                        .containsEntry(SETTINGS_INITIAL_WINDOW_SIZE, 65536L)
                        .containsEntry(SETTINGS_MAX_HEADER_LIST_SIZE, 32768L);
                assertThat(s.getOrDefault(SETTINGS_MAX_FRAME_SIZE, 16384L)).isBetween(16384L, (1L << 24) - 1);
            }),
            bare("6.5.3/1", "several SETTINGS_INITIAL_WINDOW_SIZE values in one frame -> the last applies", c -> {
                c.open(SETTINGS_INITIAL_WINDOW_SIZE, 100, SETTINGS_INITIAL_WINDOW_SIZE, 1);
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, get("/blob"));
                assertThat(c.until(f -> f.type() == DATA && f.stream() == 1).payload()).hasSize(1);
                assertThat(dataUntilBarrier(c, 1)).isZero();
            }),
            row("6.5.3/2", "SETTINGS without ACK -> a SETTINGS frame with ACK and no payload", c -> {
                c.frame(SETTINGS, 0, 0, settings(SETTINGS_MAX_FRAME_SIZE, 20000));
                H2Client.Frame ack = c.until(f -> f.type() == SETTINGS);
                assertThat(ack.flags() & ACK).isEqualTo(ACK);
                assertThat(ack.payload()).isEmpty();
                assertThat(ack.stream()).isZero();
            }),
            row("6.5.3/3", "two SETTINGS frames -> two ACKs, then served", c -> {
                c.raw(concat(frameBytes(SETTINGS, 0, 0, settings(SETTINGS_INITIAL_WINDOW_SIZE, 70000)),
                        frameBytes(SETTINGS, 0, 0, new byte[0])));
                c.until(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
                c.until(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
                serves(c, 1);
            })));
        rows.addAll(List.of(
            row("6.7/1", "PING -> PING with ACK and the same payload", c -> {
                c.frame(PING, 0, 0, bytes("h2-ping!"));
                H2Client.Frame ack = c.until(f -> f.type() == PING);
                assertThat(ack.flags() & ACK).isEqualTo(ACK);
                assertThat(ack.stream()).isZero();
                assertThat(ack.payload()).isEqualTo(bytes("h2-ping!"));
            }),
            row("6.7/2", "PING with ACK from the client -> not answered (the next PING answered is the client's next)",
                    c -> {
                c.frame(PING, ACK, 0, bytes("unasked!"));
                c.frame(PING, 0, 0, bytes("answer!!"));
                H2Client.Frame ack = c.until(f -> f.type() == PING);
                assertThat(ack.payload()).isEqualTo(bytes("answer!!"));
            }),
            row("6.7/3", "PING on stream 1 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(PING, 0, 1, new byte[8]);
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.7/4", "PING of 6 octets -> connection error FRAME_SIZE_ERROR", c -> {
                c.frame(PING, 0, 0, new byte[6]);
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("6.8/1", "GOAWAY on stream 1 -> connection error PROTOCOL_ERROR", c -> {
                c.frame(GOAWAY, 0, 1, goaway(0, 0, new byte[0]));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.8/2", "GOAWAY of 4 octets -> connection error FRAME_SIZE_ERROR", c -> {
                c.frame(GOAWAY, 0, 0, int32(0));
                connectionError(c, FRAME_SIZE_ERROR);
            }),
            row("6.8/3", "the client's GOAWAY(NO_ERROR, last stream 0) does not cancel the client's own request"
                    + " sent before it", c -> {
                c.raw(concat(frameBytes(HEADERS, END_HEADERS | END_STREAM, 1, get("/")),
                        frameBytes(GOAWAY, 0, 0, goaway(0, 0, new byte[0]))));
                answered(c, 1, "200");
            }),
            row("6.8/4", "the client's GOAWAY with unknown error code 0xff and debug data -> no special behaviour, the"
                    + " request sent before it is answered", c -> {
                c.raw(concat(frameBytes(HEADERS, END_HEADERS | END_STREAM, 1, get("/")),
                        frameBytes(GOAWAY, 0, 0, goaway(0, 0xff, bytes("bye")))));
                answered(c, 1, "200");
            }),
            row("6.10/1", "HEADERS followed by two CONTINUATIONs -> served", c -> {
                byte[] block = get("/");
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, Arrays.copyOf(block, 7)),
                        frameBytes(CONTINUATION, 0, 1, Arrays.copyOfRange(block, 7, 20)),
                        frameBytes(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, 20, block.length))));
                answered(c, 1, "200");
            }),
            row("6.10/2", "CONTINUATION without END_HEADERS followed by DATA -> connection error PROTOCOL_ERROR", c -> {
                byte[] block = post("/echo");
                c.raw(concat(frameBytes(HEADERS, 0, 1, Arrays.copyOf(block, 7)),
                        frameBytes(CONTINUATION, 0, 1, Arrays.copyOfRange(block, 7, 20)),
                        frameBytes(DATA, END_STREAM, 1, bytes("x"))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.10/3", "CONTINUATION on stream 0 while a field block is open -> connection error PROTOCOL_ERROR",
                    c -> {
                byte[] block = get("/");
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, Arrays.copyOf(block, 7)),
                        frameBytes(CONTINUATION, END_HEADERS, 0, Arrays.copyOfRange(block, 7, block.length))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.10/4", "CONTINUATION after HEADERS with END_HEADERS -> connection error PROTOCOL_ERROR", c -> {
                c.raw(concat(frameBytes(HEADERS, END_HEADERS, 1, post("/hold")),
                        frameBytes(CONTINUATION, END_HEADERS, 1, literals("x-a", "1"))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.10/5", "CONTINUATION after a CONTINUATION with END_HEADERS -> connection error PROTOCOL_ERROR", c -> {
                byte[] block = post("/hold");
                c.raw(concat(frameBytes(HEADERS, 0, 1, Arrays.copyOf(block, 7)),
                        frameBytes(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, 7, block.length)),
                        frameBytes(CONTINUATION, END_HEADERS, 1, literals("x-a", "1"))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.10/6", "CONTINUATION after DATA -> connection error PROTOCOL_ERROR", c -> {
                c.raw(concat(frameBytes(HEADERS, END_HEADERS, 1, post("/hold")),
                        frameBytes(DATA, 0, 1, bytes("x")),
                        frameBytes(CONTINUATION, END_HEADERS, 1, literals("x-a", "1"))));
                connectionError(c, PROTOCOL_ERROR);
            }),
            row("6.10/7", "HEADERS with END_STREAM but not END_HEADERS, then CONTINUATION with END_HEADERS -> served",
                    c -> {
                byte[] block = get("/");
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, Arrays.copyOf(block, 3)),
                        frameBytes(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, 3, block.length))));
                answered(c, 1, "200");
            }),
            row("6.10/8", "an empty CONTINUATION with END_HEADERS completes the field block -> served", c -> {
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, get("/")),
                        frameBytes(CONTINUATION, END_HEADERS, 1, new byte[0])));
                answered(c, 1, "200");
            }),
            row("6.10/9", "a field block split inside a string literal -> reassembled, served", c -> {
                byte[] block = get("/hdr");
                int cut = block.length - 4; // inside the value "localhost"
                c.raw(concat(frameBytes(HEADERS, END_STREAM, 1, Arrays.copyOf(block, cut)),
                        frameBytes(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, cut, block.length))));
                assertThat(answered(c, 1, "200").body()).startsWith("x-a= ");
            }),
            row("8.4/1", "PUSH_PROMISE from a client -> connection error PROTOCOL_ERROR", c -> {
                holdHalfClosed(c, 1);
                c.frame(PUSH_PROMISE, END_HEADERS, 1, concat(int32(2), get("/")));
                connectionError(c, PROTOCOL_ERROR);
            })));
        return rows;
    }

    // ---- §8: HTTP semantics ---------------------------------------------------------------------

    static List<Row> http() {
        List<Row> rows = new ArrayList<>();
        rows.addAll(List.of(
            row("8.1/1", "a second HEADERS without END_STREAM -> malformed: stream error PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/hold"));
                c.frame(HEADERS, END_HEADERS, 1, literals("x-trailer", "1"));
                malformed(c, 1);
            }),
            row("8.1/2", "DATA then trailers (HEADERS with END_STREAM) -> the body reaches the handler", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo"));
                c.frame(DATA, 0, 1, bytes("abc"));
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, literals("x-trailer", "1"));
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST abc");
            }),
            row("8.1/3", "trailers with a pseudo-header field -> malformed: stream error PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo"));
                c.frame(DATA, 0, 1, bytes("abc"));
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, literals(":path", "/x"));
                malformed(c, 1);
            }),
            row("8.1.1/1", "content-length 5 with 2 octets of DATA -> malformed: stream error PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo", "content-length", "5"));
                c.frame(DATA, END_STREAM, 1, bytes("hi"));
                malformed(c, 1);
            }),
            row("8.1.1/2", "content-length 10 with DATA frames of 2 and 3 octets -> malformed: stream error"
                    + " PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo", "content-length", "10"));
                c.frame(DATA, 0, 1, bytes("he"));
                c.frame(DATA, END_STREAM, 1, bytes("llo"));
                malformed(c, 1);
            }),
            row("8.1.1/3", "content-length 2 with 5 octets of DATA -> malformed: stream error PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo", "content-length", "2"));
                c.frame(DATA, 0, 1, bytes("hello"));
                malformed(c, 1);
            }),
            row("8.1.1/4", "content-length 5 on a HEADERS with END_STREAM (no content) -> malformed: stream error"
                    + " PROTOCOL_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(get("/"), literals("content-length", "5")));
                malformed(c, 1);
            }),
            row("8.1.1/5", "content-length 5 with DATA frames of 2 and 3 octets -> served", c -> {
                c.frame(HEADERS, END_HEADERS, 1, post("/echo", "content-length", "5"));
                c.frame(DATA, 0, 1, bytes("he"));
                c.frame(DATA, END_STREAM, 1, bytes("llo"));
                assertThat(answered(c, 1, "200").body()).isEqualTo("POST hello");
            }),
            malformedRow("8.2/1", "field name with uppercase letters", literals("X-Upper", "1")),
            malformedRow("8.2.1/1", "field name with a space", literals("x y", "1")),
            malformedRow("8.2.1/2", "regular field name with a colon", literals("x:y", "1")),
            malformedRow("8.2.1/3", "field name with octet 0xe9", literals("x\u00e9", "1")),
            malformedRow("8.2.1/4", "empty field name", literals("", "1")),
            malformedRow("8.2.1/5", "field name with a control character 0x01", literals("x\u0001", "1")),
            malformedRow("8.2.1/6", "field value with NUL", literals("x-a", "a\u0000b")),
            malformedRow("8.2.1/7", "field value with CR", literals("x-a", "a\rb")),
            malformedRow("8.2.1/8", "field value with LF", literals("x-a", "a\nb")),
            malformedRow("8.2.1/9", "field value starting with a space", literals("x-a", " a")),
            malformedRow("8.2.1/10", "field value ending with a tab", literals("x-a", "a\t")),
            row("8.2.1/11", "field value with inner space, tab and obs-text -> served", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(get("/hdr"), literals("x-a", "a b\tcaf\u00e9")));
                assertThat(answered(c, 1, "200").body()).startsWith("x-a=a b\tcaf");
            }),
            malformedRow("8.2.2/1", "connection-specific field connection", literals("connection", "keep-alive")),
            malformedRow("8.2.2/2", "connection-specific field keep-alive", literals("keep-alive", "timeout=5")),
            malformedRow("8.2.2/3", "connection-specific field proxy-connection", literals("proxy-connection", "close")),
            malformedRow("8.2.2/4", "connection-specific field transfer-encoding", literals("transfer-encoding", "chunked")),
            malformedRow("8.2.2/5", "connection-specific field upgrade", literals("upgrade", "h2c")),
            malformedRow("8.2.2/6", "TE with a value other than trailers", literals("te", "gzip")),
            row("8.2.2/7", "TE: trailers -> served", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(get("/"), literals("te", "trailers")));
                answered(c, 1, "200");
            }),
            row("8.2.3/1", "cookie crumbs in separate fields -> joined with \"; \" for the application", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(get("/hdr"), literals("cookie", "a=1", "cookie", "b=2")));
                assertThat(answered(c, 1, "200").body()).isEqualTo("x-a= cookie=a=1; b=2");
            })));
        rows.addAll(List.of(
            malformedBlock("8.3/1", "an unknown pseudo-header field :foo",
                    literals(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "localhost", ":foo", "x")),
            malformedBlock("8.3/2", "the response pseudo-header field :status in a request",
                    literals(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "localhost", ":status", "200")),
            malformedBlock("8.3/3", "a pseudo-header field after a regular field",
                    literals(":method", "GET", ":scheme", "http", ":authority", "localhost", "x-a", "1", ":path", "/")),
            malformedBlock("8.3/4", "a duplicated :method",
                    literals(":method", "GET", ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "localhost")),
            malformedBlock("8.3/5", "a duplicated :scheme",
                    literals(":method", "GET", ":scheme", "http", ":scheme", "http", ":path", "/", ":authority", "localhost")),
            malformedBlock("8.3/6", "a duplicated :path",
                    literals(":method", "GET", ":scheme", "http", ":path", "/", ":path", "/", ":authority", "localhost")),
            malformedBlock("8.3/7", "a duplicated :authority",
                    literals(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "a", ":authority", "a")),
            malformedBlock("8.3.1/1", "no :method",
                    literals(":scheme", "http", ":path", "/", ":authority", "localhost")),
            malformedBlock("8.3.1/2", "no :scheme",
                    literals(":method", "GET", ":path", "/", ":authority", "localhost")),
            malformedBlock("8.3.1/3", "no :path",
                    literals(":method", "GET", ":scheme", "http", ":authority", "localhost")),
            malformedBlock("8.3.1/4", "an empty :path",
                    literals(":method", "GET", ":scheme", "http", ":path", "", ":authority", "localhost")),
            row("8.3.1/5", "no :authority but a Host field -> served", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1,
                        literals(":method", "GET", ":scheme", "http", ":path", "/", "host", "localhost"));
                answered(c, 1, "200");
            })));
        return rows;
    }

    /** A GET whose field block adds {@code fields} to a valid request: malformed (§8.1.1). */
    static Row malformedRow(String id, String what, byte[] fields) {
        return malformedBlock(id, what, concat(get("/"), fields));
    }

    /** A GET with exactly {@code block}: malformed (§8.1.1), a stream error PROTOCOL_ERROR. */
    static Row malformedBlock(String id, String what, byte[] block) {
        return row(id, "request with " + what + " -> malformed: stream error PROTOCOL_ERROR", c -> {
            c.frame(HEADERS, END_HEADERS | END_STREAM, 1, block);
            malformed(c, 1);
        });
    }

    // ---- RFC 7541: HPACK ------------------------------------------------------------------------

    static List<Row> hpack() {
        return List.of(
            row("hpack 2.3.2/1", "a field with incremental indexing is found at index 62 in the next field block", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(get("/hdr"), indexed("x-a", "1")));
                assertThat(answered(c, 1, "200").body()).startsWith("x-a=1 ");
                c.frame(HEADERS, END_HEADERS | END_STREAM, 3, concat(get("/hdr"), new byte[] {(byte) 0xbe}));
                assertThat(answered(c, 3, "200").body()).startsWith("x-a=1 ");
            }),
            compressionError("hpack 2.3.3/1", "indexed field with index 70 (beyond both tables)",
                    concat(get("/"), hpackInt(0x80, 7, 70))),
            compressionError("hpack 2.3.3/2", "literal field with name index 70 (beyond both tables)",
                    concat(get("/"), hpackInt(0x00, 4, 70), string("x"))),
            compressionError("hpack 4.2/1", "dynamic table size update at the end of the field block",
                    concat(get("/"), hpackInt(0x20, 5, 0))),
            compressionError("hpack 5.1/1", "index integer that overflows (2^35)",
                    concat(get("/"), hpackInt(0x80, 7, 1L << 35))),
            compressionError("hpack 5.1/2", "string length integer that overflows (2^35)",
                    concat(get("/"), new byte[] {0x00}, hpackInt(0x00, 7, 1L << 35))),
            compressionError("hpack 5.2/1", "Huffman string padded with more than 7 bits",
                    concat(get("/"), new byte[] {0x00}, string("x-h"), new byte[] {(byte) 0x82, 0x1f, (byte) 0xff})),
            compressionError("hpack 5.2/2", "Huffman string padded with zeros, not the EOS prefix",
                    concat(get("/"), new byte[] {0x00}, string("x-h"), new byte[] {(byte) 0x81, 0x18})),
            compressionError("hpack 5.2/3", "Huffman string containing the EOS symbol",
                    concat(get("/"), new byte[] {0x00}, string("x-h"),
                            new byte[] {(byte) 0x84, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})),
            row("hpack 5.2/4", "Huffman-coded request of RFC 7541 C.4.1 -> decoded, served", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, hex("828684418cf1e3c2e5f23a6ba0ab90f4ff"));
                answered(c, 1, "200");
            }),
            compressionError("hpack 5.2/5", "string literal longer than the rest of the field block",
                    concat(get("/"), new byte[] {0x00, 0x0a, 'a', 'b'})),
            compressionError("hpack 6.1/1", "indexed field with index 0", concat(get("/"), new byte[] {(byte) 0x80})),
            row("hpack 6.2.3/1", "literal never indexed -> accepted, served", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(get("/hdr"), new byte[] {0x10}, string("x-a"),
                        string("secret")));
                assertThat(answered(c, 1, "200").body()).startsWith("x-a=secret ");
            }),
            compressionError("hpack 6.3/1", "dynamic table size update to 4097, above SETTINGS_HEADER_TABLE_SIZE 4096",
                    concat(hpackInt(0x20, 5, 4097), get("/"))),
            row("hpack 6.3/2", "table size update to 0 evicts the entries -> a later reference to index 62 is a"
                    + " connection error COMPRESSION_ERROR", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(get("/hdr"), indexed("x-a", "1")));
                answered(c, 1, "200");
                c.frame(HEADERS, END_HEADERS | END_STREAM, 3,
                        concat(hpackInt(0x20, 5, 0), get("/hdr"), new byte[] {(byte) 0xbe}));
                connectionError(c, COMPRESSION_ERROR);
            }),
            row("hpack 6.3/3", "table size updates to 0 then 4096 at the start of one field block -> served", c -> {
                c.frame(HEADERS, END_HEADERS | END_STREAM, 1, concat(hpackInt(0x20, 5, 0), hpackInt(0x20, 5, 4096), get("/")));
                answered(c, 1, "200");
            }));
    }

    static Row compressionError(String id, String what, byte[] block) {
        return row(id, what + " -> connection error COMPRESSION_ERROR", c -> {
            c.frame(HEADERS, END_HEADERS | END_STREAM, 1, block);
            connectionError(c, COMPRESSION_ERROR);
        });
    }

    // ---- what the server did --------------------------------------------------------------------

    enum Kind { GOAWAY, RESET, SETTLED, CLOSED, SILENT }

    /**
     * How a row's exchange ended: GOAWAY (stream is its last stream id), RST_STREAM (on stream), a
     * PING round trip with no error (settled: with the complete response if the watched stream
     * ended), the connection closed, or silence within the socket timeout; with the final status
     * and body seen on the watched stream and the frames read.
     */
    record Outcome(Kind kind, int stream, long code, String status, String body, boolean closed, List<String> frames) {

        boolean isGoaway(Http2Error... codes) {
            return kind == Kind.GOAWAY && in(code, codes);
        }

        boolean isReset(int id, Http2Error... codes) {
            return kind == Kind.RESET && stream == id && in(code, codes);
        }

        @Override
        public String toString() {
            String what = switch (kind) {
                case GOAWAY -> "GOAWAY(" + codeName(code) + ", last stream " + stream + ")"
                        + (closed ? " and close" : " without closing");
                case RESET -> (status != null ? "response " + status + ", then " : "") + "RST_STREAM(" + stream + ", "
                        + codeName(code) + ")";
                case SETTLED -> (status != null ? "response " + status : "nothing") + " (no RST_STREAM, no GOAWAY)";
                case CLOSED -> "connection closed without GOAWAY";
                case SILENT -> "nothing within the socket timeout";
            };
            return what + "; frames read: " + frames;
        }
    }

    /**
     * Reads until a GOAWAY, any RST_STREAM, the end of the connection, or, once the response on
     * {@code watch} ended, the answer to a PING sent then (so that a RST_STREAM written right after
     * the response is seen too).
     */
    static Outcome observe(H2Client c, int watch) throws IOException {
        List<String> seen = new ArrayList<>();
        String status = null;
        StringBuilder body = new StringBuilder();
        byte[] barrier = null;
        while (true) {
            H2Client.Frame f;
            try {
                f = c.read();
            } catch (SocketTimeoutException e) {
                return new Outcome(Kind.SILENT, watch, -1, status, body.toString(), false, seen);
            } catch (EOFException | SocketException e) {
                return new Outcome(Kind.CLOSED, watch, -1, status, body.toString(), true, seen);
            }
            if (seen.size() < 40) {
                seen.add(describe(f));
            }
            if (f.type() == GOAWAY) {
                int last = (int) (((f.payload()[0] & 0x7fL) << 24) | ((f.payload()[1] & 0xff) << 16)
                        | ((f.payload()[2] & 0xff) << 8) | (f.payload()[3] & 0xff));
                return new Outcome(Kind.GOAWAY, last, f.errorCode(), status, body.toString(), c.closedByServer(), seen);
            }
            if (f.type() == RST_STREAM) {
                return new Outcome(Kind.RESET, f.stream(), f.errorCode(), status, body.toString(), false, seen);
            }
            if (f.type() == PING && (f.flags() & ACK) != 0 && Arrays.equals(f.payload(), barrier)) {
                return new Outcome(Kind.SETTLED, watch, -1, status, body.toString(), false, seen);
            }
            if (f.stream() == watch && watch != 0) {
                CharSequence s = f.type() == HEADERS ? f.headers().status() : null;
                if (s != null && s.charAt(0) != '1') {
                    status = s.toString();
                } else if (f.type() == DATA) {
                    body.append(new String(f.payload(), StandardCharsets.ISO_8859_1));
                }
                if (f.endStream()) {
                    barrier = barrier();
                    c.frame(PING, 0, 0, barrier);
                }
            }
        }
    }

    /** A connection error (§5.4.1): GOAWAY with one of {@code codes}, then the server closes the connection. */
    static void connectionError(H2Client c, Http2Error... codes) throws IOException {
        Outcome o = observe(c, 0);
        assertThat(o.isGoaway(codes) && o.closed())
                .as("expected connection error %s (GOAWAY, then close); observed %s", names(codes), o).isTrue();
    }

    /**
     * A stream error (§5.4.2): RST_STREAM with one of {@code codes} on {@code stream} and no response
     * before it; then the connection still serves a GET on {@code next}.
     */
    static void streamError(H2Client c, int stream, int next, Http2Error... codes) throws IOException {
        Outcome o = observe(c, stream);
        assertThat(o.isReset(stream, codes) && o.status() == null)
                .as("expected stream error %s on stream %d; observed %s", names(codes), stream, o).isTrue();
        serves(c, next);
    }

    /** Where a section allows either (see the row): a stream error or a connection error with one of {@code codes}. */
    static void streamOrConnectionError(H2Client c, int stream, int next, Http2Error... codes) throws IOException {
        Map<Http2Error, Boolean> allowed = new LinkedHashMap<>();
        for (Http2Error e : codes) {
            allowed.put(e, true);
        }
        errorOf(c, stream, next, allowed);
    }

    /**
     * An error whose code is a key of {@code allowed}: a connection error for any of them, or a
     * stream error on {@code stream} where the value is true (then a GET on {@code next} is served).
     */
    static void errorOf(H2Client c, int stream, int next, Map<Http2Error, Boolean> allowed) throws IOException {
        Outcome o = observe(c, stream);
        Http2Error code = o.code() >= 0 ? Http2Error.valueOf(o.code()) : null;
        String expected = allowed.entrySet().stream()
                .map(e -> e.getKey() + (e.getValue() ? " (stream or connection)" : " (connection)"))
                .collect(Collectors.joining(", "));
        if (o.kind() == Kind.GOAWAY) {
            assertThat(allowed.containsKey(code) && o.closed()).as("expected %s; observed %s", expected, o).isTrue();
        } else {
            assertThat(o.kind() == Kind.RESET && o.stream() == stream && Boolean.TRUE.equals(allowed.get(code)))
                    .as("expected %s on stream %d; observed %s", expected, stream, o).isTrue();
            serves(c, next);
        }
    }

    /**
     * A malformed request (§8.1.1): a stream error PROTOCOL_ERROR on {@code stream}, which a
     * response MAY precede; then the connection serves a GET on stream + 2.
     */
    static void malformed(H2Client c, int stream) throws IOException {
        Outcome o = observe(c, stream);
        assertThat(o.isReset(stream, PROTOCOL_ERROR))
                .as("expected stream error PROTOCOL_ERROR on stream %d (RST_STREAM, a response MAY precede it);"
                        + " observed %s", stream, o).isTrue();
        serves(c, stream + 2);
    }

    /** The complete response on {@code stream}, with that status and no error around it. */
    static Outcome answered(H2Client c, int stream, String status) throws IOException {
        Outcome o = observe(c, stream);
        assertThat(o.kind() == Kind.SETTLED && status.equals(o.status()))
                .as("expected response %s on stream %d; observed %s", status, stream, o).isTrue();
        return o;
    }

    /** The connection still works: GET / on {@code stream} is answered 200 "ok". */
    static void serves(H2Client c, int stream) throws IOException {
        c.frame(HEADERS, END_HEADERS | END_STREAM, stream, get("/"));
        assertThat(answered(c, stream, "200").body()).isEqualTo("ok");
    }

    /** Opens {@code stream} with a GET /hold and END_STREAM: it stays half-closed (remote), unanswered. */
    static void holdHalfClosed(H2Client c, int stream) throws IOException {
        c.frame(HEADERS, END_HEADERS | END_STREAM, stream, get("/hold"));
    }

    /** DATA octets on {@code stream} until at least {@code atLeast} arrived; fails on GOAWAY, RST_STREAM or END_STREAM before. */
    static int data(H2Client c, int stream, int atLeast) throws IOException {
        int total = 0;
        while (total < atLeast) {
            H2Client.Frame f = c.read();
            assertThat(f.type()).as("while waiting for DATA: %s", describe(f)).isNotIn(GOAWAY, RST_STREAM);
            if (f.type() == DATA && f.stream() == stream) {
                total += f.payload().length;
                assertThat(f.endStream() && total < atLeast).as("END_STREAM after %d octets", total).isFalse();
            }
        }
        return total;
    }

    /**
     * DATA octets on {@code stream} during two PING round trips: what the server writes when it
     * flushes after reading frames sent before the first PING has gone out before it reads the second.
     */
    static int dataUntilBarrier(H2Client c, int stream) throws IOException {
        int total = 0;
        for (int round = 0; round < 2; round++) {
            for (H2Client.Frame f : untilBarrier(c)) {
                assertThat(f.type()).as("while waiting for the PING ACK: %s", describe(f)).isNotIn(GOAWAY, RST_STREAM);
                if (f.type() == DATA && f.stream() == stream) {
                    total += f.payload().length;
                }
            }
        }
        return total;
    }

    /** The frames read until the server answers a PING sent now (other PING ACKs left out). */
    static List<H2Client.Frame> untilBarrier(H2Client c) throws IOException {
        byte[] barrier = barrier();
        c.frame(PING, 0, 0, barrier);
        List<H2Client.Frame> frames = new ArrayList<>();
        while (true) {
            H2Client.Frame f = c.read();
            if (f.type() != PING || (f.flags() & ACK) == 0) {
                frames.add(f);
            } else if (Arrays.equals(f.payload(), barrier)) {
                return frames;
            }
        }
    }

    /** A PING payload not used before, so that a late answer to an earlier PING is not taken for it. */
    static byte[] barrier() {
        return concat(bytes("bar"), new byte[] {0}, int32(BARRIERS.incrementAndGet()));
    }

    // ---- building frames ------------------------------------------------------------------------

    static byte[] get(String path) {
        return literals(":method", "GET", ":scheme", "http", ":path", path, ":authority", "localhost");
    }

    static byte[] post(String path, String... fields) {
        return concat(literals(":method", "POST", ":scheme", "http", ":path", path, ":authority", "localhost"),
                literals(fields));
    }

    /** A literal field line with incremental indexing and a new name (RFC 7541 §6.2.1): it enters the dynamic table. */
    static byte[] indexed(String name, String value) {
        return concat(new byte[] {0x40}, string(name), string(value));
    }

    /** The five octets of priority fields (§6.3); {@code weight} from 1 to 256. */
    static byte[] priority(int dependency, boolean exclusive, int weight) {
        byte[] p = Arrays.copyOf(int32(dependency | (exclusive ? 0x80000000L : 0)), 5);
        p[4] = (byte) (weight - 1);
        return p;
    }

    /** Pad Length, {@code content}, and that many zero octets. */
    static byte[] padded(int padLength, byte[] content) {
        return concat(new byte[] {(byte) padLength}, content, new byte[padLength]);
    }

    static byte[] goaway(int lastStream, long code, byte[] debug) {
        return concat(int32(lastStream), int32(code), debug);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] filled(int n, char ch) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) ch);
        return b;
    }

    static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    // ---- naming ---------------------------------------------------------------------------------

    static boolean in(long code, Http2Error... codes) {
        return Arrays.stream(codes).anyMatch(e -> e.code() == code);
    }

    static String names(Http2Error... codes) {
        return Arrays.stream(codes).map(Enum::name).collect(Collectors.joining(" or "));
    }

    static String codeName(long code) {
        Http2Error e = Http2Error.valueOf(code);
        return e != null ? e.name() : "0x" + Long.toHexString(code);
    }

    static String describe(H2Client.Frame f) {
        String[] types = {"DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
            "WINDOW_UPDATE", "CONTINUATION"};
        String type = f.type() < types.length ? types[f.type()] : "0x" + Integer.toHexString(f.type());
        String detail = switch (f.type()) {
            case RST_STREAM, GOAWAY -> ", " + codeName(f.errorCode());
            case HEADERS -> ", :status " + f.headers().status();
            default -> ", " + f.payload().length + " octets";
        };
        return type + "(stream=" + f.stream() + ", flags=0x" + Integer.toHexString(f.flags()) + detail + ")";
    }
}
