import dev.modhttp.engine.ConfigSource;
import dev.modhttp.engine.Engine;
import dev.modhttp.engine.ReloadResult;
import java.io.BufferedInputStream;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reloads under load, for longer than the suite does: CLIENTS keep-alive connections send
 * GET / for SECONDS while the engine's config file is switched every INTERVAL_MS between two
 * files whose {@code return} bodies differ and reloaded (Engine.reload(), as SIGHUP or the
 * actuator trigger it). Each response is checked against the generation that served when its
 * request was sent: a body from another generation, a status other than 200, a socket error
 * and a connection the engine closed without saying so are counted. Prints one line of counts and times.
 * Usage: ReloadSoak SECONDS INTERVAL_MS CLIENTS WORKDIR
 */
public final class ReloadSoak {

    private record Seen(long sentAt, long readAt, int status, String body) {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        long interval = Long.parseLong(args[1]);
        int clients = Integer.parseInt(args[2]);
        Path dir = Path.of(args[3]);
        Files.createDirectories(dir);
        Path config = dir.resolve("engine.yml");
        Files.writeString(config, yaml("A"));
        Engine engine = Engine.builder().config(read(config)).defaultListen("127.0.0.1:0").build().start();
        engine.configSource(() -> read(config));
        int port = engine.ports().get(0);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        AtomicLong connections = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> load(port, stop, seen, errors, connections));
            t.start();
            threads.add(t);
        }
        List<long[]> swaps = new ArrayList<>(); // called at, returned at
        List<Long> took = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int n = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(interval);
            n++;
            Files.writeString(config, yaml(n % 2 == 1 ? "B" : "A"));
            long called = System.nanoTime();
            ReloadResult r = engine.reload();
            swaps.add(new long[] {called, System.nanoTime()});
            took.add(r.took().toNanos());
            if (!r.applied()) {
                System.err.println("reload refused: " + r.error());
            }
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(15_000);
        }
        long wrongBody = 0;
        long badStatus = 0;
        for (Seen s : seen) {
            if (s.status() != 200) {
                badStatus++;
                continue;
            }
            int from = 0;
            int to = 0;
            for (int i = 0; i < swaps.size(); i++) {
                if (swaps.get(i)[1] <= s.sentAt()) {
                    from = i + 1;
                }
                if (swaps.get(i)[0] <= s.readAt()) {
                    to = i + 1;
                }
            }
            boolean ok = false;
            for (int g = from; g <= to; g++) {
                ok |= s.body().equals(g % 2 == 1 ? "B" : "A");
            }
            if (!ok) {
                wrongBody++;
            }
        }
        took.sort(null);
        long accepted = engine.status().accepted();
        engine.stop(Duration.ofSeconds(5));
        System.out.printf("requests %d, reloads %d (applied %d), socket errors %d, non-200 %d, bodies of another"
                + " generation %d, connections opened %d (accepted %d; keepalive-requests closes each after 1000),"
                + " reload median %.1f ms, max %.1f ms%n",
                seen.size(), swaps.size(), engine.reloads().applied(), errors.get(), badStatus, wrongBody,
                connections.get(), accepted, took.get(took.size() / 2) / 1e6, took.get(took.size() - 1) / 1e6);
        System.exit(errors.get() + badStatus + wrongBody == 0 && accepted == connections.get() ? 0 : 1);
    }

    /** The config file holds the body; the tree is what its YAML would be (no YAML parser on the engine's classpath). */
    private static String yaml(String body) {
        return body;
    }

    private static Map<String, ?> read(Path file) {
        try {
            String body = Files.readString(file).trim();
            return Map.of("servers", List.of(Map.of("locations", List.of(Map.of("location", "/", "return", "200 " + body)))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One client: keep-alive requests; a response with Connection: close (keepalive-requests reached) opens a new connection. */
    private static void load(int port, AtomicBoolean stop, ConcurrentLinkedQueue<Seen> seen, AtomicLong errors,
            AtomicLong connections) {
        while (!stop.get()) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                connections.incrementAndGet();
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                boolean open = true;
                while (open && !stop.get()) {
                    long sent = System.nanoTime();
                    out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            throw new IOException("closed by the engine without a response");
                        }
                        head.write(b);
                    }
                    String text = head.toString(StandardCharsets.ISO_8859_1);
                    int length = 0;
                    for (String line : text.split("\r\n")) {
                        if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                        open &= !line.equalsIgnoreCase("Connection: close");
                    }
                    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                    seen.add(new Seen(sent, System.nanoTime(), Integer.parseInt(text.substring(9, 12)), body));
                }
            } catch (IOException | RuntimeException e) {
                errors.incrementAndGet();
                System.err.println("client: " + e);
                return;
            }
        }
    }
}
