package dev.modhttp.engine.soak;

import dev.modhttp.engine.Engine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The engine the soak runs against, in a process of its own so that its memory is its own:
 * {@code /hello} (return), {@code /files/} (static: 1 KiB, 64 KiB and 1 MiB files under ROOT),
 * {@code /gz/} (a 32 KiB HTML page, gzip on), everything else 404. Prints {@code PORT n}, then
 * every SAMPLE_SECONDS {@code SAMPLE millis rssKiB heapAfterGcKiB} (a full GC first). Ends when
 * its standard input closes (the driver went away) or it is killed.
 * Usage: SoakServer ROOT SAMPLE_SECONDS
 */
public final class SoakServer {

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        long sampleMillis = Long.parseLong(args[1]) * 1000;
        Files.createDirectories(root.resolve("files"));
        Files.createDirectories(root.resolve("gz"));
        Files.write(root.resolve("files/1k.txt"), SoakLoad.content(1024));
        Files.write(root.resolve("files/64k.txt"), SoakLoad.content(64 * 1024));
        Files.write(root.resolve("files/1m.txt"), SoakLoad.content(1024 * 1024));
        Files.write(root.resolve("gz/page.html"), SoakLoad.content(32 * 1024));
        Map<String, Object> server = Map.of("listen", List.of("127.0.0.1:0"), "root", root.toString(), "locations", List.of(
                Map.of("location", "/hello", "return", "200 Hello, World!"),
                Map.of("location", "/files/"),
                Map.of("location", "/gz/", "gzip", "on")));
        Engine engine = Engine.builder().config(Map.of("servers", List.of(server))).build().start();
        System.out.println("PORT " + engine.ports().get(0));
        System.out.flush();
        long started = System.currentTimeMillis();
        Thread sampler = new Thread(() -> {
            try {
                while (true) {
                    System.gc();
                    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
                    System.out.println("SAMPLE " + (System.currentTimeMillis() - started) + " " + rssKib() + " " + heap);
                    System.out.flush();
                    Thread.sleep(sampleMillis);
                }
            } catch (InterruptedException | IOException e) {
                // the process ends
            }
        }, "soak-sampler");
        sampler.setDaemon(true);
        sampler.start();
        while (System.in.read() >= 0) {
            // the driver holds our standard input open while the soak runs
        }
        engine.stop(Duration.ofSeconds(5));
        System.exit(0);
    }

    private static long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
