package io.speechslo.policy.load;

import io.speechslo.policy.Durations;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A composed YAML node together with where it is (file, line, field path), so that every check can
 * fail with {@code file:line: path: problem}. Mappings reject duplicate and, via {@link #allow},
 * unknown keys.
 */
public final class YamlNode {

    private final String file;
    private final String path;
    private final Node node;
    private final int keyLine;
    private Map<String, NodeTuple> entries;

    public YamlNode(String file, String path, Node node) {
        this(file, path, node, 0);
    }

    /** @param keyLine the line of the key this value belongs to, 0 for documents and list items */
    private YamlNode(String file, String path, Node node, int keyLine) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.keyLine = keyLine;
    }

    /**
     * Every non-empty YAML document of a file, composed to nodes (line numbers kept, nothing
     * constructed); invalid YAML is a {@link PolicyException} at the line of the problem.
     *
     * @param location the file as the user knows it, used in every message
     */
    public static List<YamlNode> documents(String location, byte[] bytes) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowRecursiveKeys(false);
        List<YamlNode> out = new ArrayList<>();
        try {
            for (Node n : new Yaml(options).composeAll(
                    new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
                if (n != null) {
                    out.add(new YamlNode(location, "", n));
                }
            }
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new PolicyException(location, line, "", "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new PolicyException(location, 0, "", "not valid YAML: " + e.getMessage());
        }
        return out;
    }

    public String path() {
        return path;
    }

    /** {@code file:line}, for messages that point back at an earlier definition. */
    public String where() {
        return file + ":" + line();
    }

    public int line() {
        return node.getStartMark().getLine() + 1;
    }

    public PolicyException fail(String problem) {
        return new PolicyException(file, line(), path, problem);
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    // ---- mappings

    private Map<String, NodeTuple> entries() {
        if (entries == null) {
            if (!(node instanceof MappingNode)) {
                throw fail("must be a mapping (key: value), not " + describe());
            }
            entries = new LinkedHashMap<>();
            for (NodeTuple t : ((MappingNode) node).getValue()) {
                Node k = t.getKeyNode();
                if (!(k instanceof ScalarNode)) {
                    throw new PolicyException(file, k.getStartMark().getLine() + 1, path, "keys must be plain names");
                }
                String name = ((ScalarNode) k).getValue();
                if (entries.putIfAbsent(name, t) != null) {
                    throw new PolicyException(file, k.getStartMark().getLine() + 1, child(name), "duplicate key");
                }
            }
        }
        return entries;
    }

    /** Fails on the first key not in {@code allowed}, naming it and the allowed ones. */
    public YamlNode allow(String... allowed) {
        List<String> ok = Arrays.asList(allowed);
        for (Map.Entry<String, NodeTuple> e : entries().entrySet()) {
            if (!ok.contains(e.getKey())) {
                Node k = e.getValue().getKeyNode();
                throw new PolicyException(file, k.getStartMark().getLine() + 1, child(e.getKey()),
                        "unknown key '" + e.getKey() + "' (allowed here: " + String.join(", ", allowed) + ")");
            }
        }
        return this;
    }

    public List<String> keys() {
        return new ArrayList<>(entries().keySet());
    }

    public boolean has(String key) {
        return entries().containsKey(key);
    }

    /** The value under {@code key}, or null when absent. */
    public YamlNode get(String key) {
        NodeTuple t = entries().get(key);
        return t == null ? null
                : new YamlNode(file, child(key), t.getValueNode(), t.getKeyNode().getStartMark().getLine() + 1);
    }

    public YamlNode req(String key) {
        YamlNode v = get(key);
        if (v == null) {
            // Point at "spec:" rather than at the first line of what it holds.
            throw new PolicyException(file, keyLine > 0 ? keyLine : line(), child(key), "required key is missing");
        }
        return v;
    }

    // ---- sequences

    public List<YamlNode> items() {
        if (!(node instanceof SequenceNode)) {
            throw fail("must be a list, not " + describe());
        }
        List<Node> values = ((SequenceNode) node).getValue();
        List<YamlNode> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            out.add(new YamlNode(file, path + "[" + i + "]", values.get(i)));
        }
        return out;
    }

    // ---- scalars

    private ScalarNode scalar(String expected) {
        if (!(node instanceof ScalarNode) || node.getTag().equals(Tag.NULL)) {
            throw fail("must be " + expected + ", not " + describe());
        }
        return (ScalarNode) node;
    }

    /** Any scalar, as written. */
    public String text() {
        String v = scalar("a text").getValue();
        if (v.isBlank()) {
            throw fail("must not be empty");
        }
        return v;
    }

    /** A finite number (integer or decimal). */
    public double number() {
        ScalarNode s = scalar("a number");
        if (!s.getTag().equals(Tag.INT) && !s.getTag().equals(Tag.FLOAT)) {
            throw fail("must be a number, not '" + s.getValue() + "'");
        }
        try {
            double d = Double.parseDouble(s.getValue().replace("_", ""));
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw fail("must be a finite number, not '" + s.getValue() + "'");
    }

    public long integer() {
        ScalarNode s = scalar("a whole number");
        if (s.getTag().equals(Tag.INT)) {
            try {
                return Long.parseLong(s.getValue().replace("_", ""));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw fail("must be a whole number, not '" + s.getValue() + "'");
    }

    public boolean bool() {
        ScalarNode s = scalar("true or false");
        if (!s.getTag().equals(Tag.BOOL)) {
            throw fail("must be true or false, not '" + s.getValue() + "'");
        }
        String v = s.getValue().toLowerCase(java.util.Locale.ROOT); // YAML 1.1: true/false, yes/no, on/off
        return v.equals("true") || v.equals("yes") || v.equals("on");
    }

    /** A strictly positive duration such as 30s, 5m, 1h, 30d. */
    public Duration duration() {
        String v = scalar("a duration such as 5m, 1h or 30d").getValue();
        Duration d;
        try {
            d = Durations.parse(v);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw fail("'" + v + "' is not a duration (write a whole number and one unit of ms, s, m, h, d, w: e.g. 5m, 1h, 30d)");
        }
        if (d.isZero()) {
            throw fail("duration must be greater than zero");
        }
        return d;
    }

    private String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node.getTag().equals(Tag.NULL)) {
            return "nothing";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
}
