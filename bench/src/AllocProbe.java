import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Bytes the engine allocates per request, as the JVM counts them for its event-loop thread
 * (com.sun.management.ThreadMXBean#getThreadAllocatedBytes): the engine of EngineServer runs in
 * this JVM with one event loop, one keep-alive client sends GET /hello and GET /files/1k.bin
 * one after another, first WARMUP times (JIT), then COUNT times measured.
 * -Dpaths=/hello,... chooses the requests (default: /hello, /files/1k.bin and /cached/1k.bin).
 * Usage: AllocProbe PORT [COUNT] [WARMUP]
 */
public final class AllocProbe {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        Path root = Files.createTempDirectory("alloc-probe");
        Files.createDirectories(root.resolve("files"));
        Files.write(root.resolve("files/1k.bin"), new byte[1024]);
        System.setProperty("keepalive.requests", "100000000");
        EngineServer.main(new String[] {"127.0.0.1:" + port, "1", root.toString()});
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (String path : System.getProperty("paths", "/hello,/files/1k.bin,/cached/1k.bin").split(",")) {
                byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: probe\r\nAccept: */*\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                exchange(socket, in, request, warmup);
                long[] loops = eventLoops(threads);
                long before = Arrays.stream(threads.getThreadAllocatedBytes(loops)).sum();
                exchange(socket, in, request, count);
                long after = Arrays.stream(threads.getThreadAllocatedBytes(loops)).sum();
                System.out.printf("%-16s %8.0f bytes allocated per request on the event loop%n", path,
                        (after - before) / (double) count);
            }
        }
        Files.delete(root.resolve("files/1k.bin"));
        Files.delete(root.resolve("files"));
        Files.delete(root);
        System.exit(0);
    }

    private static long[] eventLoops(java.lang.management.ThreadMXBean threads) {
        return Arrays.stream(threads.dumpAllThreads(false, false))
                .filter(t -> t.getThreadName().startsWith("multiThreadIoEventLoopGroup"))
                .mapToLong(java.lang.management.ThreadInfo::getThreadId).toArray();
    }

    /** Sends the request n times, reading each response whole (head, then Content-Length bytes). */
    private static void exchange(Socket socket, InputStream in, byte[] request, int n) throws IOException {
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            out.write(request);
            head.reset();
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed after " + i + " responses");
                }
                head.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                        : b == '\r' ? 1 : 0;
            }
            String h = head.toString(StandardCharsets.US_ASCII);
            int at = h.toLowerCase().indexOf("content-length:");
            int length = Integer.parseInt(h.substring(at + 15, h.indexOf('\r', at)).trim());
            in.readNBytes(length);
        }
    }
}
