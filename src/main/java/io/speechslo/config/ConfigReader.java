package io.speechslo.config;

import io.speechslo.config.JobConfig.CardinalitySettings;
import io.speechslo.config.JobConfig.CheckpointSettings;
import io.speechslo.config.JobConfig.EventTimeSettings;
import io.speechslo.config.JobConfig.KafkaSettings;
import io.speechslo.config.JobConfig.RegistrySettings;
import io.speechslo.config.JobConfig.SinkSettings;
import io.speechslo.config.JobConfig.StartingOffsets;
import io.speechslo.config.JobConfig.StateBackend;
import io.speechslo.config.JobConfig.TopicSettings;
import io.speechslo.gate.RolloutSettings;
import io.speechslo.policy.Durations;
import io.speechslo.policy.load.PolicyException;
import org.yaml.snakeyaml.DumperOptions;
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

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads job.yaml layers into one {@link JobConfig}: every key set is kept with where it was set (file and
 * line, or the override), later layers replace earlier ones key by key, and the typed values are
 * checked only once all layers are in, so a message names the place that set the value at fault.
 */
final class ConfigReader {

    /** Every key that takes one value. */
    static final List<String> KEYS = List.of(
            "kafka.bootstrap-servers", "kafka.group-id", "kafka.starting-offsets",
            "topics.asr", "topics.tts", "topics.serving", "topics.privacy", "topics.advisories",
            "topics.scorecards", "topics.dead-letter", "topics.replay-advisories", "topics.replay-scorecards",
            "topics.partitions",
            "registry.url",
            "event-time.max-out-of-orderness", "event-time.allowed-lateness", "event-time.idle-source-timeout",
            "event-time.max-future", "event-time.max-past",
            "gate.interval", "gate.reminder", "gate.idle-timeout",
            "cardinality.max-values-per-dimension", "cardinality.expiry",
            "checkpoint.interval", "checkpoint.state-backend", "checkpoint.directory",
            "sink.transactional-id-prefix", "sink.transaction-timeout",
            "policies.dir");

    /** Keys holding client properties, each set as {@code <key>.<property name>}. */
    static final List<String> PROPERTY_MAPS = List.of("kafka.properties", "registry.properties");

    /** Section name -> its keys (without the section), in the order of the reference file. */
    private static final Map<String, List<String>> SECTIONS = new LinkedHashMap<>();

    static {
        List<String> all = new ArrayList<>(KEYS);
        all.addAll(PROPERTY_MAPS);
        for (String key : all) {
            int dot = key.indexOf('.');
            SECTIONS.computeIfAbsent(key.substring(0, dot), s -> new ArrayList<>()).add(key.substring(dot + 1));
        }
    }

    private static final String DEFAULTS_SOURCE = "classpath:" + JobConfig.CLASSPATH_FILE;
    private static final int DEFAULTS = 0;
    private static final int FILE = 1;
    private static final int OVERRIDE = 2;

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    /** A property that has a key of its own in job.yaml: property name -> that key. */
    private static final Map<String, String> KAFKA_OWNED = Map.of(
            "bootstrap.servers", "kafka.bootstrap-servers",
            "group.id", "kafka.group-id",
            "transactional.id", "sink.transactional-id-prefix",
            "transaction.timeout.ms", "sink.transaction-timeout");
    private static final Map<String, String> REGISTRY_OWNED = Map.of("schema.registry.url", "registry.url", "url", "registry.url");

    /**
     * One value and where it was set. {@code source} is the file (with {@code line}) or, for an override,
     * {@code --set key=value} (line 0).
     */
    private record Setting(String key, String source, int line, int layer, ScalarNode value) {

        PolicyException fail(String problem) {
            return layer == OVERRIDE
                    ? new PolicyException(source, 0, "", problem)
                    : new PolicyException(source, line, key, problem);
        }

        String where() {
            return layer == OVERRIDE ? source : source + ":" + line;
        }

        boolean isNull() {
            return value.getTag().equals(Tag.NULL);
        }
    }

    private final Map<String, Setting> settings = new LinkedHashMap<>();

    private static final java.util.regex.Pattern ENV_REFERENCE = java.util.regex.Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    private final java.util.function.Function<String, String> env;

    private ConfigReader(java.util.function.Function<String, String> env) {
        this.env = env;
    }

    static JobConfig load(Optional<Path> file, List<String> overrides, java.util.function.Function<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        r.readFile(DEFAULTS_SOURCE, packaged(), DEFAULTS);
        if (file.isPresent()) {
            r.readFile(file.get().toString(), read(file.get()), FILE);
        }
        for (String o : overrides) {
            r.readOverride(o);
        }
        return r.build();
    }

    private static byte[] packaged() {
        try (InputStream in = ConfigReader.class.getClassLoader().getResourceAsStream(JobConfig.CLASSPATH_FILE)) {
            if (in == null) {
                throw new PolicyException(DEFAULTS_SOURCE, 0, "", "missing: the jar was built without job/job.yaml");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DEFAULTS_SOURCE, e);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new PolicyException(p.toString(), 0, "", "no such file");
        } catch (IOException e) {
            throw new PolicyException(p.toString(), 0, "", "cannot read: " + e);
        }
    }

    // ---- layers

    private void readFile(String source, byte[] bytes, int layer) {
        Node root;
        LoaderOptions options = new LoaderOptions();
        options.setAllowRecursiveKeys(false);
        try (Reader in = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8)) {
            Iterator<Node> docs = new Yaml(options).composeAll(in).iterator();
            root = docs.hasNext() ? docs.next() : null;
            if (docs.hasNext()) {
                throw new PolicyException(source, line(docs.next()), "", "must hold one YAML document, found more");
            }
        } catch (MarkedYAMLException e) {
            throw new PolicyException(source, e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1, "",
                    "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new PolicyException(source, 0, "", "not valid YAML: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || isNull(root)) {
            return; // an empty file sets nothing
        }
        for (NodeTuple s : entries(source, "", root)) {
            String section = name(s);
            List<String> keys = SECTIONS.get(section);
            if (keys == null) {
                throw new PolicyException(source, line(s.getKeyNode()), section,
                        "unknown key '" + section + "' (valid: " + String.join(", ", SECTIONS.keySet()) + ")");
            }
            if (isNull(s.getValueNode())) {
                continue;
            }
            for (NodeTuple k : entries(source, section, s.getValueNode())) {
                String key = section + "." + name(k);
                if (PROPERTY_MAPS.contains(key)) {
                    if (!isNull(k.getValueNode())) {
                        for (NodeTuple p : entries(source, key, k.getValueNode())) {
                            put(source, key + "." + name(p), p.getValueNode(), layer);
                        }
                    }
                } else if (KEYS.contains(key)) {
                    put(source, key, k.getValueNode(), layer);
                } else {
                    throw new PolicyException(source, line(k.getKeyNode()), key, "unknown key '" + name(k)
                            + "' (valid in " + section + ": " + String.join(", ", keys) + ")");
                }
            }
        }
    }

    private void put(String source, String key, Node value, int layer) {
        if (!(value instanceof ScalarNode)) {
            String hint = key.startsWith("kafka.properties.") || key.startsWith("registry.properties.")
                    ? "; write property names whole, e.g. security.protocol: SASL_SSL" : "";
            throw new PolicyException(source, line(value), key, "must be a single value, not " + describe(value) + hint);
        }
        settings.put(key, new Setting(key, source, line(value), layer, (ScalarNode) value));
    }

    private void readOverride(String option) {
        String source = "--set " + option;
        int eq = option.indexOf('=');
        if (eq <= 0) {
            throw new PolicyException(source, 0, "", "write <dotted.key>=<value>, e.g. kafka.bootstrap-servers=10.0.0.5:9092");
        }
        String key = option.substring(0, eq).trim();
        checkOverrideKey(source, key);
        Node value;
        try {
            value = new Yaml(new LoaderOptions()).compose(new StringReader(option.substring(eq + 1)));
        } catch (YAMLException e) {
            throw new PolicyException(source, 0, "", "not a YAML value (quote it): " + e.getMessage().replace('\n', ' '));
        }
        if (value == null) {
            value = new ScalarNode(Tag.NULL, "", null, null, DumperOptions.ScalarStyle.PLAIN);
        }
        if (!(value instanceof ScalarNode)) {
            throw new PolicyException(source, 0, "", "must be a single value, not " + describe(value) + " (quote it)");
        }
        settings.put(key, new Setting(key, source, 0, OVERRIDE, (ScalarNode) value));
    }

    private static void checkOverrideKey(String source, String key) {
        if (KEYS.contains(key)) {
            return;
        }
        for (String map : PROPERTY_MAPS) {
            if (key.equals(map) || key.equals(map + ".")) {
                throw new PolicyException(source, 0, "", "set one property at a time: " + map + ".<name>=<value>");
            }
            if (key.startsWith(map + ".")) {
                return;
            }
        }
        int dot = key.indexOf('.');
        List<String> keys = SECTIONS.get(dot < 0 ? key : key.substring(0, dot));
        if (keys == null) {
            throw new PolicyException(source, 0, "", "unknown key '" + key + "' (keys start with one of: "
                    + String.join(", ", SECTIONS.keySet()) + ")");
        }
        String section = dot < 0 ? key : key.substring(0, dot);
        List<String> valid = new ArrayList<>();
        for (String k : keys) {
            String full = section + "." + k;
            valid.add(PROPERTY_MAPS.contains(full) ? full + ".<name>" : full);
        }
        throw new PolicyException(source, 0, "", "unknown key '" + key + "' (valid in " + section + ": "
                + String.join(", ", valid) + ")");
    }

    private static List<NodeTuple> entries(String source, String path, Node node) {
        if (!(node instanceof MappingNode)) {
            throw new PolicyException(source, line(node), path, "must be a mapping (key: value), not " + describe(node));
        }
        Map<String, NodeTuple> seen = new HashMap<>();
        for (NodeTuple t : ((MappingNode) node).getValue()) {
            String where = path.isEmpty() ? "" : path + ".";
            if (!(t.getKeyNode() instanceof ScalarNode) || isNull(t.getKeyNode())) {
                throw new PolicyException(source, line(t.getKeyNode()), path, "keys must be plain names");
            }
            NodeTuple earlier = seen.putIfAbsent(name(t), t);
            if (earlier != null) {
                throw new PolicyException(source, line(t.getKeyNode()), where + name(t),
                        "duplicate key (first at line " + line(earlier.getKeyNode()) + ")");
            }
        }
        return ((MappingNode) node).getValue();
    }

    private static String name(NodeTuple t) {
        return ((ScalarNode) t.getKeyNode()).getValue();
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    private static boolean isNull(Node n) {
        return n.getTag().equals(Tag.NULL);
    }

    private static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        return isNull(n) ? "nothing" : "'" + ((ScalarNode) n).getValue() + "'";
    }

    // ---- typed values

    private JobConfig build() {
        KafkaSettings kafka = new KafkaSettings(bootstrapServers("kafka.bootstrap-servers"), text("kafka.group-id"),
                choice("kafka.starting-offsets", StartingOffsets.class), properties("kafka.properties", KAFKA_OWNED));
        TopicSettings topics = new TopicSettings(topic("topics.asr"), topic("topics.tts"), topic("topics.serving"),
                topic("topics.privacy"), topic("topics.advisories"), topic("topics.scorecards"),
                topic("topics.dead-letter"), topic("topics.replay-advisories"), topic("topics.replay-scorecards"),
                positiveInt("topics.partitions"));
        checkDistinct(List.of("topics.asr", "topics.tts", "topics.serving", "topics.privacy", "topics.advisories",
                "topics.scorecards", "topics.dead-letter", "topics.replay-advisories", "topics.replay-scorecards"));
        RegistrySettings registry = new RegistrySettings(httpUrl("registry.url"),
                properties("registry.properties", REGISTRY_OWNED));
        EventTimeSettings eventTime = new EventTimeSettings(
                duration("event-time.max-out-of-orderness", true), duration("event-time.allowed-lateness", true),
                duration("event-time.idle-source-timeout", false), duration("event-time.max-future", false),
                duration("event-time.max-past", false));
        Duration interval = duration("gate.interval", false);
        RolloutSettings gate = new RolloutSettings(interval,
                atLeast("gate.reminder", "gate.interval", interval), atLeast("gate.idle-timeout", "gate.interval", interval));
        CardinalitySettings cardinality = new CardinalitySettings(positiveInt("cardinality.max-values-per-dimension"),
                atLeastAMinute("cardinality.expiry"));
        Duration checkpointInterval = duration("checkpoint.interval", false);
        CheckpointSettings checkpoint = new CheckpointSettings(checkpointInterval,
                choice("checkpoint.state-backend", StateBackend.class), checkpointDirectory("checkpoint.directory"));
        Duration transactionTimeout = duration("sink.transaction-timeout", false);
        if (transactionTimeout.compareTo(checkpointInterval) <= 0) {
            throw conflict("sink.transaction-timeout", "checkpoint.interval", "sink.transaction-timeout ("
                    + Durations.format(transactionTimeout) + ") must be longer than checkpoint.interval ("
                    + Durations.format(checkpointInterval) + "): a transaction stays open from one checkpoint to the next");
        }
        SinkSettings sink = new SinkSettings(text("sink.transactional-id-prefix"), transactionTimeout);
        return new JobConfig(kafka, topics, registry, eventTime, gate, cardinality, checkpoint, sink,
                directory("policies.dir"));
    }

    private Setting setting(String key) {
        Setting s = settings.get(key);
        if (s == null) {
            throw new PolicyException(DEFAULTS_SOURCE, 0, key, "required key is missing");
        }
        return s;
    }

    /** Fails on whichever of the two was set later (the override over the file over the defaults). */
    private PolicyException conflict(String key, String otherKey, String problem) {
        Setting a = setting(key);
        Setting b = setting(otherKey);
        Setting blamed = a.layer() >= b.layer() ? a : b;
        Setting other = blamed == a ? b : a;
        return blamed.fail(problem + " (" + other.key() + " is set at " + other.where() + ")");
    }

    private static String value(Setting s, String expected) {
        if (s.isNull()) {
            throw s.fail("must be " + expected + ", not nothing");
        }
        return s.value().getValue();
    }

    /** A non-empty value, as written. */
    private String text(String key) {
        Setting s = setting(key);
        String v = value(s, "a value");
        if (v.isBlank()) {
            throw s.fail("must not be empty");
        }
        return v;
    }

    private Optional<String> optionalText(String key) {
        return setting(key).isNull() ? Optional.empty() : Optional.of(text(key));
    }

    private int positiveInt(String key) {
        Setting s = setting(key);
        String v = value(s, "a whole number");
        if (s.value().getTag().equals(Tag.INT)) {
            try {
                long n = Long.parseLong(v.replace("_", ""));
                if (n < 1 || n > Integer.MAX_VALUE) {
                    throw s.fail("must be from 1 to " + Integer.MAX_VALUE + ", not " + v);
                }
                return (int) n;
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw s.fail("must be a whole number, not '" + v + "'");
    }

    private Duration duration(String key, boolean zeroAllowed) {
        Setting s = setting(key);
        String v = value(s, "a duration such as 30s, 5m or 1h");
        if (v.trim().startsWith("-")) {
            throw s.fail("must not be negative, not '" + v + "'");
        }
        Duration d;
        try {
            d = Durations.parse(v);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw s.fail("'" + v + "' is not a duration (write a whole number and one unit of ms, s, m, h, d, w: e.g. 30s, 5m, 1h)");
        }
        if (d.isZero() && !zeroAllowed) {
            throw s.fail("must be greater than zero");
        }
        return d;
    }

    /** A duration of at least a minute: what is timed to the minute (the cardinality guard's last-seen times). */
    private Duration atLeastAMinute(String key) {
        Duration d = duration(key, false);
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            throw setting(key).fail("must be at least 1m (values are timed to the minute), not " + Durations.format(d));
        }
        return d;
    }

    private Duration atLeast(String key, String floorKey, Duration floor) {
        Duration d = duration(key, false);
        if (d.compareTo(floor) < 0) {
            throw conflict(key, floorKey, key + " (" + Durations.format(d) + ") must be at least " + floorKey
                    + " (" + Durations.format(floor) + ")");
        }
        return d;
    }

    private <E extends Enum<E>> E choice(String key, Class<E> type) {
        Setting s = setting(key);
        String v = value(s, "one of " + ids(type));
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(v)) {
                return e;
            }
        }
        throw s.fail("unknown value '" + v + "' (valid: " + ids(type) + ")");
    }

    private static String ids(Class<? extends Enum<?>> type) {
        List<String> ids = new ArrayList<>();
        for (Enum<?> e : type.getEnumConstants()) {
            ids.add(e.name().toLowerCase(Locale.ROOT));
        }
        return String.join(", ", ids);
    }

    private String topic(String key) {
        String v = text(key);
        if (!TOPIC.matcher(v).matches() || v.equals(".") || v.equals("..")) {
            throw setting(key).fail("'" + v + "' is not a Kafka topic name (up to 249 of a-z, A-Z, 0-9, '.', '_', '-')");
        }
        return v;
    }

    private void checkDistinct(List<String> keys) {
        Map<String, String> byName = new HashMap<>();
        for (String key : keys) {
            String name = setting(key).value().getValue();
            String earlier = byName.putIfAbsent(name, key);
            if (earlier != null) {
                throw conflict(key, earlier, "'" + name + "' is the topic of both " + earlier + " and " + key
                        + "; every topic must be different");
            }
        }
    }

    private String bootstrapServers(String key) {
        String v = text(key);
        for (String server : v.split(",", -1)) {
            Matcher m = HOST_PORT.matcher(server.trim());
            int port = m.matches() ? Integer.parseInt(m.group(2)) : 0;
            if (port < 1 || port > 65535) {
                throw setting(key).fail("'" + server.trim() + "' is not host:port (write e.g. 127.0.0.1:9092 or"
                        + " broker-1:9092,broker-2:9092)");
            }
        }
        return v;
    }

    private String httpUrl(String key) {
        String v = text(key);
        try {
            URI u = new URI(v);
            if (u.getScheme() != null && u.getHost() != null
                    && (u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))) {
                return v;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw setting(key).fail("'" + v + "' is not an http(s) URL (write e.g. http://127.0.0.1:8081)");
    }

    private Optional<String> checkpointDirectory(String key) {
        Optional<String> v = optionalText(key);
        if (v.isPresent()) {
            boolean ok;
            try {
                ok = new URI(v.get()).getScheme() != null || v.get().startsWith("/");
            } catch (URISyntaxException e) {
                ok = false;
            }
            if (!ok) {
                throw setting(key).fail("'" + v.get() + "' is not a checkpoint location (write a URI such as"
                        + " file:///var/lib/speechslo/checkpoints or s3://bucket/checkpoints)");
            }
        }
        return v;
    }

    private Optional<Path> directory(String key) {
        Optional<String> v = optionalText(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Path p;
        try {
            p = Path.of(v.get());
        } catch (InvalidPathException e) {
            throw setting(key).fail("'" + v.get() + "' is not a path: " + e.getReason());
        }
        if (!Files.isDirectory(p)) {
            throw setting(key).fail("'" + v.get() + "' is not a directory (relative paths start at "
                    + Path.of("").toAbsolutePath() + ")");
        }
        return Optional.of(p);
    }

    /** The entries set under {@code prefix.}, in the order first set; values as written ("" allowed). */
    /** {@code ${env:NAME}} replaced by that environment variable; an unset one fails naming it. */
    private String expand(Setting s, String value) {
        java.util.regex.Matcher m = ENV_REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null) {
                throw s.fail("names the environment variable " + m.group(1) + ", which is not set");
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v));
        }
        return m.appendTail(out).toString();
    }

    private Map<String, String> properties(String prefix, Map<String, String> owned) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting s : settings.values()) {
            if (s.key().startsWith(prefix + ".")) {
                String name = s.key().substring(prefix.length() + 1);
                String owner = owned.get(name);
                if (owner != null) {
                    throw s.fail("'" + name + "' is set by " + owner + ", not here");
                }
                out.put(name, expand(s, value(s, "a value (write \"\" for an empty one)")));
            }
        }
        return out;
    }
}
