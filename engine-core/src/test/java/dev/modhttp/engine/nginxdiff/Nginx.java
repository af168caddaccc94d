package dev.modhttp.engine.nginxdiff;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx run from a directory of its own: installed from Debian packages when missing,
 * started as a daemon, reloaded with SIGHUP between batches, stopped by its PID.
 */
final class Nginx implements AutoCloseable {

    private final String binary;
    private final Path dir;
    private long pid = -1;

    private Nginx(String binary, Path dir) {
        this.binary = binary;
        this.dir = dir;
    }

    /** Finds nginx, installing it with apt-get if absent; fails naming what went wrong. */
    static Nginx installed(Path dir) throws IOException {
        Optional<String> found = find();
        if (found.isEmpty()) {
            StringBuilder log = new StringBuilder();
            for (String pkg : List.of("nginx-light", "nginx")) {
                log.append(run(List.of("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                        + pkg), 600).output());
                found = find();
                if (found.isPresent()) {
                    break;
                }
            }
            if (found.isEmpty()) {
                throw new IllegalStateException("nginx is not installed and 'apt-get install -y nginx-light' (or nginx) "
                        + "did not install it; install nginx 1.22+ by hand. apt-get said:\n" + tail(log.toString()));
            }
        }
        Files.createDirectories(dir);
        Files.createDirectories(dir.resolve("body"));
        Files.createDirectories(dir.resolve("proxy"));
        return new Nginx(found.get(), dir);
    }

    private static Optional<String> find() {
        for (String p : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(p))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    String version() throws IOException {
        return run(List.of(binary, "-v"), 10).output().trim();
    }

    Path dir() {
        return dir;
    }

    /** nginx -t on a configuration file: empty when nginx accepts it, else its complaint. */
    Optional<String> test(Path conf) throws IOException {
        Result r = run(List.of(binary, "-t", "-q", "-p", dir.toString(), "-e", dir.resolve("test-error.log").toString(),
                "-c", conf.toString()), 30);
        return r.code() == 0 ? Optional.empty() : Optional.of(r.output().trim());
    }

    /** Starts nginx with this nginx.conf, or makes the running one read it again (from the same path). */
    void load(String content) throws IOException {
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, content, StandardCharsets.UTF_8);
        if (pid < 0) {
            Result r = run(List.of(binary, "-p", dir.toString(), "-e", dir.resolve("error.log").toString(), "-c", conf.toString()), 30);
            if (r.code() != 0) {
                throw new IllegalStateException("nginx did not start: " + r.output());
            }
            pid = readPid(dir.resolve("nginx.pid"));
        } else {
            Result r = run(List.of("kill", "-HUP", Long.toString(pid)), 10);
            if (r.code() != 0) {
                throw new IllegalStateException("cannot signal nginx " + pid + ": " + r.output());
            }
        }
    }

    /** Waits until every port accepts connections (the master has opened the new listen sockets). */
    void awaitPorts(List<Integer> ports) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int port : ports) {
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    s.setSoLinger(true, 0);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        String log = "";
                        try {
                            log = tail(Files.readString(dir.resolve("error.log"), StandardCharsets.ISO_8859_1));
                        } catch (IOException ignored) {
                            // no log yet
                        }
                        throw new IllegalStateException("nginx does not listen on " + port + " after reload; error.log:\n" + log);
                    }
                    Thread.sleep(20);
                }
            }
        }
    }

    /**
     * Stops nginx by its PID: graceful QUIT, then TERM, then KILL of the master and of every
     * worker it had (a killed master leaves its workers behind otherwise), and waits until all are gone.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (pid < 0) {
            return;
        }
        Optional<ProcessHandle> master = ProcessHandle.of(pid);
        List<ProcessHandle> all = new java.util.ArrayList<>();
        master.ifPresent(m -> {
            all.add(m);
            m.descendants().forEach(all::add);
        });
        for (String signal : List.of("-QUIT", "-TERM")) {
            run(List.of("kill", signal, Long.toString(pid)), 10);
            if (awaitExit(all, 5)) {
                pid = -1;
                return;
            }
        }
        all.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(all, 10)) {
            throw new IllegalStateException("nginx " + pid + " or one of its workers does not stop");
        }
        pid = -1;
    }

    /** Alive and not a zombie: a daemon's exited processes may wait here for an init that does not reap them. */
    private static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return !(e instanceof java.nio.file.NoSuchFileException) && p.isAlive();
        }
    }

    private static boolean awaitExit(List<ProcessHandle> processes, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (processes.stream().anyMatch(Nginx::running)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    record Result(int code, String output) {
    }

    /** Runs a command with its output in a file, so that a daemon keeping the pipe cannot hang us past the timeout. */
    static Result run(List<String> command, int timeoutSeconds) throws IOException {
        Path out = Files.createTempFile("nginx-diff-run", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The daemonised master writes its pid file after the launching process has exited: wait for it. */
    private static long readPid(Path file) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                String text = Files.readString(file).trim();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
                // not written yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nginx wrote no pid file " + file);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + file, e);
            }
        }
    }

    private static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }
}
