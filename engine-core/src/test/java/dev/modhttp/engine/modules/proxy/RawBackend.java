package dev.modhttp.engine.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend that answers from a script, byte for byte, for the cases a real server would not
 * produce: garbage, over-long heads, a close in the middle of a body, silence. It reads each
 * request's head and Content-Length body, counts accepted connections, and keeps a connection
 * for further requests until the script says otherwise.
 */
final class RawBackend implements AutoCloseable {

    /** Answers one request; returns whether the connection serves another. */
    @FunctionalInterface
    interface Script {
        boolean answer(String head, byte[] body, OutputStream out, Socket socket) throws IOException;
    }

    final AtomicInteger accepted = new AtomicInteger();
    final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Script script;

    RawBackend(Script script) throws IOException {
        this(script, InetAddress.getLoopbackAddress(), 0);
    }

    /** A backend on {@code address} and {@code port} (0: any free one). */
    RawBackend(Script script, InetAddress address, int port) throws IOException {
        this.script = script;
        this.server = new ServerSocket(port, 50, address);
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                accepted.incrementAndGet();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                heads.add(head);
                byte[] body = in.readNBytes(contentLength(head));
                if (!script.answer(head, body, out, s)) {
                    return;
                }
                out.flush();
            }
        } catch (IOException e) {
            // the engine closed the connection: done with it
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    /** 64 KiB of seeded random bytes: what {@link #sending} repeats, for checking a large body byte for byte. */
    static byte[] pattern() {
        byte[] chunk = new byte[64 * 1024];
        new Random(11).nextBytes(chunk);
        return chunk;
    }

    /**
     * A backend answering each request with 200 and {@code total} bytes ({@link #pattern()}
     * repeated; {@code total} a multiple of 64 KiB), {@code extraFields} (CRLF-ended lines) in
     * its head, counting the body bytes written in {@code written} as it goes.
     */
    static RawBackend sending(long total, String extraFields, AtomicLong written) throws IOException {
        return new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + total + "\r\n" + extraFields + "\r\n");
            byte[] chunk = pattern();
            for (long sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
            out.flush();
            return true;
        });
    }

    /** Reads {@code total} bytes from {@code in}, asserting they are {@link #pattern()} repeated. */
    static void assertPattern(InputStream in, long total) throws IOException {
        byte[] expected = pattern();
        byte[] buf = new byte[expected.length];
        for (long read = 0; read < total; read += buf.length) {
            in.readNBytes(buf, 0, buf.length);
            assertThat(buf).as("bytes at " + read).isEqualTo(expected);
        }
    }

    /** Waits until {@code written} stops growing for half a second; returns its value then. */
    static long waitForStall(AtomicLong written) throws InterruptedException {
        long last = -1;
        int still = 0;
        while (still < 5) {
            Thread.sleep(100);
            long now = written.get();
            still = now == last ? still + 1 : 0;
            last = now;
        }
        return last;
    }

    static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close(); // the peer dies: its open connections end too
        }
        threads.shutdownNow();
    }
}
