package dev.modhttp.engine.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server on a loopback port of its own, started as a child process (installed
 * from Debian's packages when missing) and stopped by its PID. {@link #stop()} and
 * {@link #start()} again keep the port, for tests of an outage.
 */
public final class RedisServer implements AutoCloseable {

    private final String binary;
    private final int port;
    private Process process;

    private RedisServer(String binary, int port) {
        this.binary = binary;
        this.port = port;
    }

    /** Finds (or installs) redis-server and starts it on a free port. */
    public static RedisServer started() throws IOException, InterruptedException {
        RedisServer r = new RedisServer(installed(), freePort());
        r.start();
        return r;
    }

    private static String installed() throws IOException, InterruptedException {
        Optional<String> found = find();
        if (found.isPresent()) {
            return found.get();
        }
        Process apt = new ProcessBuilder("sh", "-c",
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server")
                .redirectErrorStream(true).start();
        String said = new String(apt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        apt.waitFor(600, TimeUnit.SECONDS);
        return find().orElseThrow(() -> new IllegalStateException("redis-server is not installed and "
                + "'apt-get install -y redis-server' did not install it; install Redis 6.2+ by hand. apt-get said:\n"
                + said.substring(Math.max(0, said.length() - 2000))));
    }

    private static Optional<String> find() {
        for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server")) {
            if (Files.isExecutable(Path.of(p))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** Whether it was started and not stopped since. */
    public boolean running() {
        return process != null && process.isAlive();
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again) on its port, without persistence, and waits until it answers PING. */
    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (command("PING").equals("+PONG")) {
                    return;
                }
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start on port " + port, e);
                }
            }
            Thread.sleep(20);
        }
    }

    /** Stops it by its PID (TERM, then KILL) and waits until it is gone. */
    public void stop() throws IOException, InterruptedException {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            pause(false); // a paused Redis would not act on TERM
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Stops (SIGSTOP) or resumes (SIGCONT) the process: a Redis that holds connections open and answers nothing. */
    public void pause(boolean paused) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("cannot signal redis-server " + process.pid());
        }
    }

    /**
     * One command in Redis's inline form ({@code KEYS modhttp:*}), answering the reply's first
     * line, or for an array the elements joined by newlines.
     */
    public String command(String inline) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String first = line(in);
            if (!first.startsWith("*")) {
                return first;
            }
            StringBuilder all = new StringBuilder();
            int n = Integer.parseInt(first.substring(1));
            for (int i = 0; i < n; i++) {
                String head = line(in);
                String element = head.startsWith("$") ? line(in) : head;
                all.append(i == 0 ? "" : "\n").append(element);
            }
            return all.toString();
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("redis closed the connection");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }
}
