package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The context closes while clients keep sending: readiness refuses traffic first, the engine
 * keeps serving for the quiet period, then stops accepting, and every request it read gets its
 * whole response.
 */
@Timeout(60)
class GracefulStopTests {

    private static final long WORK_MILLIS = 20;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        /** When readiness refused traffic, and whether the engine was serving then. */
        static final AtomicLong refusingAt = new AtomicLong();
        static final AtomicBoolean servingWhenRefusing = new AtomicBoolean();

        @Bean
        @PhaseHandler(phase = Phase.CONTENT)
        Handler work() {
            return ex -> Result.pending(CompletableFuture.supplyAsync(() -> {
                ex.response().body("done");
                return Result.OK;
            }, CompletableFuture.delayedExecutor(WORK_MILLIS, TimeUnit.MILLISECONDS)));
        }

        @Bean
        ApplicationListener<AvailabilityChangeEvent<ReadinessState>> readiness(Engine engine) {
            return event -> {
                if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
                    servingWhenRefusing.set(engine.isRunning());
                    refusingAt.set(System.nanoTime());
                }
            };
        }
    }

    /** What one client saw: responses read whole, after the readiness change too, and cut ones. */
    private static final class Client implements Runnable {
        private final int port;
        private final AtomicLong answered = new AtomicLong();
        private final AtomicLong answeredAfterRefusing = new AtomicLong();
        private final AtomicLong truncated = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Client(int port) {
            this.port = port;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        socket.setSoTimeout(10_000);
                        InputStream in = new BufferedInputStream(socket.getInputStream());
                        boolean open = true;
                        while (open) {
                            socket.getOutputStream().write("GET /work HTTP/1.1\r\nHost: a\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                            String head = head(in);
                            if (head == null) {
                                break; // closed while idle, before our request was read: a client retries it
                            }
                            byte[] body = in.readNBytes(4);
                            if (!head.startsWith("HTTP/1.1 200") || !new String(body, StandardCharsets.US_ASCII).equals("done")) {
                                truncated.incrementAndGet();
                                break;
                            }
                            answered.incrementAndGet();
                            long refusing = App.refusingAt.get();
                            if (refusing != 0 && System.nanoTime() > refusing) {
                                answeredAfterRefusing.incrementAndGet();
                            }
                            open = !head.contains("\r\nConnection: close\r\n");
                        }
                    } catch (ConnectException e) {
                        return; // the engine stopped accepting
                    } catch (IOException e) {
                        // reset while idle: as above
                    }
                }
            } catch (RuntimeException | Error e) {
                failure.set(e);
            }
        }

        /** A response head, or null when the connection closed before its first byte; a cut head counts as truncated. */
        private String head(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    return head.toString(StandardCharsets.US_ASCII);
                }
            }
            if (head.size() > 0) {
                truncated.incrementAndGet();
            }
            return null;
        }
    }

    @Test
    void underLoadEveryRequestTheEngineReadIsAnsweredAndTheQuietPeriodKeepsServing() throws Exception {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        ConfigurableApplicationContext context = app.run("--server.port=0", "--engine.servers[0].locations[0].location=/",
                "--engine.shutdown.quiet-period=300ms");
        Engine engine = context.getBean(Engine.class);
        int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        List<Client> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Client c = new Client(port);
            clients.add(c);
            Thread t = new Thread(c, "load-" + i);
            threads.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.status().requests() < 200 && System.nanoTime() < deadline) {
            Thread.sleep(10); // load running
        }
        context.close();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(t.isAlive()).as(t.getName() + " ends once the engine refuses connections").isFalse();
        }
        long answered = clients.stream().mapToLong(c -> c.answered.get()).sum();
        assertThat(clients).allSatisfy(c -> {
            assertThat(c.failure.get()).isNull();
            assertThat(c.truncated.get()).as("responses cut short").isZero();
        });
        assertThat(App.servingWhenRefusing.get()).as("readiness refused traffic while the engine still served").isTrue();
        assertThat(answered).as("requests answered whole, against the requests the engine read")
                .isEqualTo(engine.status().requests()).isGreaterThanOrEqualTo(200);
        // 16 clients at 20 ms a request over a 300 ms quiet period: about 240 responses
        assertThat(clients.stream().mapToLong(c -> c.answeredAfterRefusing.get()).sum())
                .as("served during the quiet period").isGreaterThan(16);
    }

    @Test
    void aNegativeQuietPeriodFailsTheStartNamingTheProperty() {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        assertThatThrownBy(() -> app.run("--server.port=0", "--engine.servers[0].locations[0].location=/",
                "--engine.shutdown.quiet-period=-1s")).hasStackTraceContaining("engine.shutdown.quiet-period cannot be negative");
    }
}
