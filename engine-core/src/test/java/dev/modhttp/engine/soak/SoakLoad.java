package dev.modhttp.engine.soak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * The soak: mixed traffic against a {@link SoakServer} process for a while, with Netty's
 * paranoid leak detection on in the server, its RSS and heap after a full GC sampled, every
 * answer checked, and its log read for leaks and unexpected lines at the end.
 *
 * <p>Each client picks, request after request: hello, static hits (1 KiB, 64 KiB), a static
 * miss and a URI no location serves (404s), a range (206), gzip (decompressed and compared),
 * a malformed request (400, then the connection closes), a slow client (its head one byte at a
 * time), a pipelined burst of 10 requests in one write, and aborted connections (a 1 MiB file
 * read 1 KiB into, a body cut short). Usage: SoakLoad SECONDS CLIENTS SAMPLE_SECONDS WORKDIR
 * (writes WORKDIR/server.log, samples.csv and rss.png; exits non-zero when the soak failed).
 */
public final class SoakLoad {

    /** One sample of the server: when (ms since its start), RSS and heap after GC in KiB. */
    public record Sample(long atMillis, long rssKib, long heapKib) {
    }

    /**
     * What a soak saw.
     *
     * @param unexpected answers that were not what the scenario expects, the first ones in {@code details}
     * @param leaks Netty's LEAK reports in the server's log
     * @param logLines the server's WARN and ERROR lines that no scenario explains
     */
    public record Report(long requests, Map<String, Long> byScenario, long unexpected, List<String> details,
            List<Sample> samples, List<String> leaks, List<String> logLines) {

        /** Growth of RSS from the first sample of the last {@code fraction} of the run to the highest after it. */
        public double rssGrowth(double fraction) {
            int from = (int) Math.floor(samples.size() * (1 - fraction));
            long base = samples.get(from).rssKib();
            long max = samples.subList(from, samples.size()).stream().mapToLong(Sample::rssKib).max().orElse(base);
            return (double) (max - base) / base;
        }

        /**
         * Growth of the heap after GC over the last {@code fraction} of the run, in KiB: the live heap
         * is small (about 10 MiB) and moves by a MiB or two with what the caches hold, so it is
         * judged in bytes (a leak of 100 bytes a request grows it by 12 MiB in two minutes). A leak
         * grows it sample after sample, so the growth is the least of the last three samples over
         * the window's first: one sample taken while requests in flight held their buffers (one
         * CI run saw 72 MiB in a single sample, then 0 again) is not a leak.
         */
        public long heapGrowthKib(double fraction) {
            int from = (int) Math.floor(samples.size() * (1 - fraction));
            long base = samples.get(from).heapKib();
            return samples.subList(Math.max(from, samples.size() - 3), samples.size()).stream().mapToLong(Sample::heapKib)
                    .min().orElse(base) - base;
        }

        /** The heap after GC of every sample, in KiB, for a failure's message. */
        public String heapSeries() {
            return samples.stream().map(x -> Long.toString(x.heapKib())).collect(java.util.stream.Collectors.joining(" "));
        }
    }

    /** WARN and ERROR lines the scenarios cause on purpose (none today: the engine logs clients' faults at info). */
    private static final List<Pattern> EXPECTED_LOG = List.of();

    private final int port;
    private final long deadline;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final AtomicLong unexpected = new AtomicLong();
    private final List<String> details = Collections.synchronizedList(new ArrayList<>());

    private SoakLoad(int port, long deadline) {
        this.port = port;
        this.deadline = deadline;
    }

    /** {@code size} bytes of text: lines of the alphabet, so that gzip has something to do. */
    static byte[] content(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i % 64 == 63 ? '\n' : 'a' + (i * 7 + i / 64) % 26);
        }
        return b;
    }

    /** Runs a soak of {@code duration} with {@code clients} threads; the server sampled every {@code every}. */
    public static Report run(Duration duration, int clients, Duration every, Path workDir) throws Exception {
        Files.createDirectories(workDir);
        Path log = workDir.resolve("server.log");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:+UseParallelGC",
                "-Dio.netty.leakDetection.level=paranoid", "-cp", System.getProperty("java.class.path"),
                SoakServer.class.getName(), workDir.resolve("root").toString(), Long.toString(every.toSeconds()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = awaitPort(log, server);
            SoakLoad load = new SoakLoad(port, System.nanoTime() + duration.toNanos());
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(load::client, "soak-" + i);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join(duration.toMillis() + 60_000);
            }
            Thread.sleep(every.toMillis() + 500); // one more sample, at rest
            server.getOutputStream().close(); // the server stops
            server.waitFor(20, TimeUnit.SECONDS);
            return load.report(Files.readAllLines(log));
        } finally {
            server.destroyForcibly();
        }
    }

    private static int awaitPort(Path log, Process server) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until && server.isAlive()) {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("PORT ")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the soak server did not start: " + Files.readString(log));
    }

    private Report report(List<String> log) {
        List<Sample> samples = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String line : log) {
            if (line.startsWith("SAMPLE ")) {
                String[] f = line.split(" ");
                samples.add(new Sample(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
            } else if (line.contains("LEAK:")) {
                leaks.add(line);
            } else if ((line.contains(" WARN ") || line.contains(" ERROR "))
                    && EXPECTED_LOG.stream().noneMatch(p -> p.matcher(line).find())) {
                lines.add(line);
            }
        }
        Map<String, Long> by = new TreeMap<>();
        counts.forEach((k, v) -> by.put(k, v.sum()));
        return new Report(by.values().stream().mapToLong(Long::longValue).sum(), by, unexpected.get(),
                List.copyOf(details), samples, leaks, lines);
    }

    // ---- the client -------------------------------------------------------------------------

    private static final String[] SCENARIOS = {"hello", "hello", "hello", "static-1k", "static-64k", "miss", "no-location",
        "range", "gzip", "malformed", "slow", "pipelined", "aborted-download", "aborted-upload"};

    private void client() {
        Connection keepAlive = null;
        while (System.nanoTime() < deadline) {
            String scenario = SCENARIOS[ThreadLocalRandom.current().nextInt(SCENARIOS.length)];
            try {
                switch (scenario) {
                    case "malformed", "slow", "pipelined", "aborted-download", "aborted-upload" -> alone(scenario);
                    default -> {
                        if (keepAlive == null) {
                            keepAlive = new Connection(port);
                        }
                        if (!onKeepAlive(keepAlive, scenario)) {
                            keepAlive.close();
                            keepAlive = null;
                        }
                    }
                }
                counts.computeIfAbsent(scenario, k -> new LongAdder()).increment();
            } catch (IOException | RuntimeException e) {
                fail(scenario, e.toString());
                if (keepAlive != null) {
                    keepAlive.close();
                    keepAlive = null;
                }
            }
        }
        if (keepAlive != null) {
            keepAlive.close();
        }
    }

    private void fail(String scenario, String what) {
        unexpected.incrementAndGet();
        if (details.size() < 20) {
            details.add(scenario + ": " + what);
        }
    }

    /** One request on the keep-alive connection; false when the engine closes it after the response. */
    private boolean onKeepAlive(Connection c, String scenario) throws IOException {
        Response r = switch (scenario) {
            case "hello" -> c.get("/hello", "");
            case "static-1k" -> c.get("/files/1k.txt", "");
            case "static-64k" -> c.get("/files/64k.txt", "");
            case "miss" -> c.get("/files/missing.txt", "");
            case "no-location" -> c.get("/nowhere/" + ThreadLocalRandom.current().nextInt(1000), "");
            case "range" -> c.get("/files/64k.txt", "Range: bytes=100-1099\r\n");
            default -> c.get("/gz/page.html", "Accept-Encoding: gzip\r\n");
        };
        boolean ok = switch (scenario) {
            case "hello" -> r.status == 200 && new String(r.body, StandardCharsets.US_ASCII).equals("Hello, World!");
            case "static-1k" -> r.status == 200 && r.body.length == 1024;
            case "static-64k" -> r.status == 200 && r.body.length == 64 * 1024;
            case "miss", "no-location" -> r.status == 404;
            case "range" -> r.status == 206 && r.body.length == 1000 && r.body[0] == content(1100)[100];
            default -> r.status == 200 && "gzip".equals(r.header("content-encoding"))
                    && new GZIPInputStream(new ByteArrayInputStream(r.body)).readAllBytes().length == 32 * 1024;
        };
        if (!ok) {
            fail(scenario, "status " + r.status + ", " + r.body.length + " body bytes");
        }
        return !"close".equalsIgnoreCase(r.header("connection"));
    }

    /** The scenarios that end their connection. */
    private void alone(String scenario) throws IOException {
        try (Connection c = new Connection(port)) {
            switch (scenario) {
                case "malformed" -> {
                    c.write("GET /hello HTTP/1.1\r\nHost: soak\r\nNo colon here\r\n\r\n");
                    Response r = c.read();
                    if (r.status != 400) {
                        fail(scenario, "status " + r.status);
                    }
                }
                case "slow" -> {
                    for (byte b : "GET /hello HTTP/1.1\r\nHost: soak\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) {
                        c.out.write(b);
                        c.out.flush();
                        sleep(5);
                    }
                    if (c.read().status != 200) {
                        fail(scenario, "no 200");
                    }
                }
                case "pipelined" -> {
                    StringBuilder burst = new StringBuilder();
                    for (int i = 0; i < 10; i++) {
                        burst.append(i % 2 == 0 ? "GET /hello" : "GET /files/1k.txt").append(" HTTP/1.1\r\nHost: soak\r\n\r\n");
                    }
                    c.write(burst.toString());
                    for (int i = 0; i < 10; i++) {
                        Response r = c.read();
                        if (r.status != 200 || r.body.length != (i % 2 == 0 ? 13 : 1024)) {
                            fail(scenario, "response " + i + ": status " + r.status);
                        }
                    }
                }
                case "aborted-download" -> {
                    c.write("GET /files/1m.txt HTTP/1.1\r\nHost: soak\r\n\r\n");
                    c.in.readNBytes(1024); // then gone, the rest unread
                }
                default -> {
                    c.write("POST /hello HTTP/1.1\r\nHost: soak\r\nContent-Length: 10000\r\n\r\n" + "x".repeat(100));
                    // then gone, the body cut short
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** A client connection: requests written raw, responses read by Content-Length or chunks. */
    private static final class Connection implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        Response get(String path, String fields) throws IOException {
            write("GET " + path + " HTTP/1.1\r\nHost: soak\r\n" + fields + "\r\n");
            return read();
        }

        Response read() throws IOException {
            String statusLine = line();
            Map<String, String> headers = new HashMap<>();
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            byte[] body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
                    all.write(in.readNBytes(n));
                    line();
                }
                line();
                body = all.toByteArray();
            } else {
                body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            }
            return new Response(Integer.parseInt(statusLine.substring(9, 12)), headers, body);
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("closed by the engine");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    // ---- the script's entry point -------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofSeconds(Long.parseLong(args[0]));
        Path dir = Path.of(args[3]);
        Report r = run(duration, Integer.parseInt(args[1]), Duration.ofSeconds(Long.parseLong(args[2])), dir);
        StringBuilder csv = new StringBuilder("seconds,rss_kib,heap_after_gc_kib\n");
        r.samples().forEach(s -> csv.append(s.atMillis() / 1000).append(',').append(s.rssKib()).append(',')
                .append(s.heapKib()).append('\n'));
        Files.writeString(dir.resolve("samples.csv"), csv);
        plot(r.samples(), dir.resolve("rss.png"));
        double fraction = duration.toMinutes() >= 30 ? 20.0 / duration.toMinutes() : 2.0 / 3;
        System.out.printf("requests %d %s%nunexpected answers %d %s%nLEAK lines %d, unexpected log lines %d %s%n"
                + "RSS %d -> %d KiB (max %d); growth over the last %.0f%% of the run: RSS %.1f%%, heap after GC %d KiB"
                + "%nsamples: %s, plot: %s%n", r.requests(), r.byScenario(), r.unexpected(), r.details(), r.leaks().size(),
                r.logLines().size(), r.logLines().stream().limit(5).toList(), r.samples().get(0).rssKib(),
                r.samples().get(r.samples().size() - 1).rssKib(), r.samples().stream().mapToLong(Sample::rssKib).max()
                        .orElse(0), fraction * 100, r.rssGrowth(fraction) * 100, r.heapGrowthKib(fraction),
                dir.resolve("samples.csv"), dir.resolve("rss.png"));
        boolean ok = r.unexpected() == 0 && r.leaks().isEmpty() && r.logLines().isEmpty() && r.rssGrowth(fraction) < 0.05
                && r.heapGrowthKib(fraction) < 4096;
        System.exit(ok ? 0 : 1);
    }

    /** RSS and heap after GC over time, as a PNG (the JDK's own imaging, headless). */
    static void plot(List<Sample> samples, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 900;
        int h = 420;
        int left = 70;
        int bottom = 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        long maxT = Math.max(1, samples.get(samples.size() - 1).atMillis());
        long maxKib = samples.stream().mapToLong(Sample::rssKib).max().orElse(1) * 11 / 10;
        g.setColor(Color.GRAY);
        g.drawLine(left, h - bottom, w - 20, h - bottom);
        g.drawLine(left, 20, left, h - bottom);
        for (int i = 0; i <= 4; i++) {
            long kib = maxKib * i / 4;
            int y = h - bottom - (int) ((h - bottom - 20) * i / 4.0);
            g.drawString(kib / 1024 + " MiB", 5, y + 4);
            long t = maxT * i / 4 / 1000;
            g.drawString(t + " s", left + (w - 20 - left) * i / 4 - 10, h - bottom + 18);
        }
        g.setStroke(new BasicStroke(2f));
        draw(g, samples, maxT, maxKib, left, w, h, bottom, true, new Color(200, 40, 40));
        draw(g, samples, maxT, maxKib, left, w, h, bottom, false, new Color(40, 90, 200));
        g.setColor(new Color(200, 40, 40));
        g.drawString("RSS", w - 160, 35);
        g.setColor(new Color(40, 90, 200));
        g.drawString("heap after GC", w - 120, 35);
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static void draw(Graphics2D g, List<Sample> samples, long maxT, long maxKib, int left, int w, int h, int bottom,
            boolean rss, Color color) {
        g.setColor(color);
        int px = -1;
        int py = -1;
        for (Sample s : samples) {
            int x = left + (int) ((w - 20 - left) * (double) s.atMillis() / maxT);
            int y = h - bottom - (int) ((h - bottom - 20) * (double) (rss ? s.rssKib() : s.heapKib()) / maxKib);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
    }
}
