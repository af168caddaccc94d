package dev.modhttp.engine.modules.proxy;

import java.io.BufferedInputStream;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;

/**
 * A backend for large request bodies that never holds one: it reads the body as it comes
 * (Content-Length or chunked), counting its bytes and their CRC-32, and answers
 * {@code "<count> <crc>"}. Before reading the body it records what {@link #atHead} reports
 * (how much the client had sent by then, say) and waits {@link #pauseBeforeBody} ms, so a test
 * sees whether the engine buffered the body or streamed it, and with what back-pressure.
 */
final class StreamBackend implements AutoCloseable {

    final List<String> heads = new CopyOnWriteArrayList<>();
    final List<Long> seenAtHead = new CopyOnWriteArrayList<>();
    final AtomicLong bodyBytes = new AtomicLong();
    volatile LongSupplier atHead = () -> 0;
    volatile long pauseBeforeBody;
    /** While true, the next connection is closed after its head, once (may be shared between backends). */
    volatile AtomicBoolean closeNext = new AtomicBoolean();
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    StreamBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
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
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readLine(in, "\r\n\r\n");
                if (head == null) {
                    return;
                }
                heads.add(head);
                seenAtHead.add(atHead.getAsLong());
                if (closeNext.compareAndSet(true, false)) {
                    return;
                }
                Thread.sleep(pauseBeforeBody);
                CRC32 crc = new CRC32();
                long n = header(head, "transfer-encoding") != null ? readChunked(in, crc) : readLength(in, head, crc);
                byte[] answer = (n + " " + Long.toHexString(crc.getValue())).getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(answer);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the engine closed the connection, or the test ended
        }
    }

    private long readLength(InputStream in, String head, CRC32 crc) throws IOException {
        String length = header(head, "content-length");
        return copy(in, length == null ? 0 : Long.parseLong(length), crc);
    }

    private long readChunked(InputStream in, CRC32 crc) throws IOException {
        long total = 0;
        while (true) {
            String line = readLine(in, "\r\n").trim();
            long size = Long.parseLong(line.split(";")[0], 16);
            if (size == 0) {
                readLine(in, "\r\n"); // no trailers: the empty line
                return total;
            }
            total += copy(in, size, crc);
            readLine(in, "\r\n");
        }
    }

    private long copy(InputStream in, long n, CRC32 crc) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("body ended early");
            }
            crc.update(buf, 0, r);
            bodyBytes.addAndGet(r);
            left -= r;
        }
        return n;
    }

    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** Reads up to and including {@code end}; null at the end of the stream before any byte. */
    private static String readLine(InputStream in, String end) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            String s = line.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith(end)) {
                return s;
            }
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
    }
}
