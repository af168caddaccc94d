package dev.modhttp.engine.test;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.EngineBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.Yaml;

/** An engine started from inline YAML on port 0, closed by try-with-resources. */
public final class TestEngine implements AutoCloseable {

    private final Engine engine;

    private TestEngine(Engine engine) {
        this.engine = engine;
    }

    public static Map<String, Object> yaml(String yaml) {
        Map<String, Object> tree = new Yaml().load(yaml);
        return tree == null ? Map.of() : tree;
    }

    public static TestEngine start(String yaml) {
        return start(yaml, b -> { });
    }

    public static TestEngine start(String yaml, Consumer<EngineBuilder> customizer) {
        EngineBuilder b = Engine.builder().config(yaml(yaml)).defaultListen("127.0.0.1:0").ioThreads(2);
        customizer.accept(b);
        return new TestEngine(b.build().start());
    }

    public Engine engine() {
        return engine;
    }

    public int port() {
        return engine.ports().get(0);
    }

    public int port(int index) {
        return engine.ports().get(index);
    }

    public RawClient raw() {
        return new RawClient(port());
    }

    public Http http() {
        return new Http(port());
    }

    @Override
    public void close() {
        engine.stop(Duration.ofSeconds(2));
    }
}
