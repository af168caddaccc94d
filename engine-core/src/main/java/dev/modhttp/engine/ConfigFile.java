package dev.modhttp.engine;

import dev.modhttp.engine.config.ConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The engine's configuration in a YAML file, for the {@link Standalone} runner: the engine's tree
 * at the file's root, or under {@code engine:} (an {@code application.yml} as it is: its other
 * keys are not the engine's and are left alone). Read again
 * by each {@link #read()} (a reload); a refused configuration is described with the line of the
 * file where the property is, as {@code nginx -t} names the line.
 */
public final class ConfigFile implements ConfigSource {

    private final Path file;
    /** The line (1-based) of each property path of the last read ({@code servers[0].locations[1].root}). */
    private volatile Map<String, Integer> lines = Map.of();

    public ConfigFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    /**
     * The configuration tree as the file holds it now.
     *
     * @throws IllegalArgumentException when the file cannot be read or is not YAML, with its line
     */
    @Override
    public Map<String, ?> read() {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
        }
        try {
            Yaml yaml = new Yaml(new LoaderOptions());
            Object tree = yaml.load(text);
            Node root = yaml.compose(new StringReader(text));
            boolean nested = tree instanceof Map<?, ?> m && m.get("engine") instanceof Map; // an application.yml
            Map<String, Integer> found = new HashMap<>();
            if (root != null) {
                index(root, "", found);
            }
            if (nested) {
                Map<String, Integer> inner = new HashMap<>();
                found.forEach((k, v) -> {
                    if (k.startsWith("engine.")) {
                        inner.put(k.substring(7), v);
                    }
                });
                found = inner;
            }
            lines = found;
            if (tree == null) {
                return Map.of();
            }
            if (!(tree instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(file + ": the configuration must be a map of keys, not " + tree);
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> engine = nested ? (Map<String, ?>) map.get("engine") : (Map<String, ?>) map;
            return engine;
        } catch (MarkedYAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getProblem() + " in " + file + ":"
                    + (e.getProblemMark().getLine() + 1), e);
        }
    }

    private static void index(Node node, String path, Map<String, Integer> found) {
        if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode key) {
                    String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                    found.putIfAbsent(child, key.getStartMark().getLine() + 1);
                    index(t.getValueNode(), child, found);
                }
            }
        } else if (node instanceof SequenceNode list) {
            List<Node> items = list.getValue();
            for (int i = 0; i < items.size(); i++) {
                String child = path + "[" + i + "]";
                found.putIfAbsent(child, items.get(i).getStartMark().getLine() + 1);
                index(items.get(i), child, found);
            }
        }
    }

    /** The error with {@code in FILE:LINE} of the property (or of the nearest block that holds it). */
    @Override
    public String describe(RuntimeException error) {
        String message = String.valueOf(error.getMessage());
        if (!(error instanceof ConfigException e)) {
            return message.contains(file.toString()) ? message : message + " in " + file;
        }
        String path = e.path() == null ? "" : e.path();
        String property = e.key() == null ? path : path.isEmpty() ? e.key() : path + "." + e.key();
        Integer line = null;
        for (String p = property; line == null && !p.isEmpty(); p = parent(p)) {
            line = lines.get(p);
        }
        return message + " in " + file + (line == null ? "" : ":" + line);
    }

    private static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut <= 0 ? "" : path.substring(0, cut);
    }
}
