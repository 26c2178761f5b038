package io.speechslo.policy.load;

import io.speechslo.policy.BurnSettings;
import io.speechslo.policy.DriftPolicy;
import io.speechslo.policy.GatePolicy;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Loads and validates the policies: SLOs and burn-rate alerts (job/slos/*.yaml, OpenSLO v1), release
 * gates (job/gates/*.yaml), drift (job/drift.yaml) and burn settings (job/burn.yaml). Every other
 * file is ignored. The shipped defaults are packaged under {@value #CLASSPATH_DIR} with the list
 * {@value #INDEX}. Any problem fails with a {@link PolicyException} naming file, line and field.
 */
public final class PolicyLoader {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyLoader.class);

    /** Where the default policy files live on the classpath. */
    public static final String CLASSPATH_DIR = "speechslo/job/";
    /** The list of packaged default files, one relative path a line, inside {@link #CLASSPATH_DIR}. */
    public static final String INDEX = "policy.index";

    static final String BURN = "burn.yaml";
    static final String DRIFT = "drift.yaml";
    static final String SLOS = "slos";
    static final String GATES = "gates";

    /** One policy file: its path relative to the job folder, where it was read from, and its bytes. */
    record PolicyFile(String name, String location, byte[] bytes) {}

    private PolicyLoader() {}

    /** The packaged default policies. */
    public static Policies loadDefaults() {
        return parse(packaged());
    }

    /** The packaged default policy files, validated, as a bundle that can travel to a cluster. */
    public static PolicyBundle bundleDefaults() {
        return validated(packaged());
    }

    /** The policy files of {@code jobDir} (see {@link #load(Path)}), validated, as a bundle. */
    public static PolicyBundle bundle(Path jobDir) {
        return validated(collect(jobDir));
    }

    private static PolicyBundle validated(Collection<PolicyFile> files) {
        parse(files);
        return new PolicyBundle(files.stream()
                .map(f -> new PolicyBundle.File(f.name(), f.location(), f.bytes()))
                .toList());
    }

    /** Parses a bundle's files (already validated when it was made). */
    static Policies load(PolicyBundle bundle) {
        return parse(bundle.files().stream().map(f -> new PolicyFile(f.name(), f.location(), f.bytes())).toList());
    }

    /**
     * The policies in {@code jobDir}: every job/slos/*.yaml, job/gates/*.yaml, job/drift.yaml and
     * job/burn.yaml present there; a packaged default file that the folder lacks is used as packaged
     * (logged). To drop a shipped SLO or gate file, leave it empty rather than deleting it.
     */
    public static Policies load(Path jobDir) {
        return parse(collect(jobDir));
    }

    private static Collection<PolicyFile> collect(Path jobDir) {
        if (!Files.isDirectory(jobDir)) {
            throw new PolicyException(jobDir.toString(), 0, "", "not a directory");
        }
        Map<String, PolicyFile> files = new TreeMap<>();
        for (String fixed : List.of(BURN, DRIFT)) {
            Path p = jobDir.resolve(fixed);
            if (Files.isRegularFile(p)) {
                files.put(fixed, read(fixed, p));
            }
        }
        for (String dir : List.of(SLOS, GATES)) {
            Path d = jobDir.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> listing = Files.list(d)) {
                for (Path p : (Iterable<Path>) listing.sorted()::iterator) {
                    String name = dir + "/" + p.getFileName();
                    if (Files.isRegularFile(p) && name.endsWith(".yaml")) {
                        files.put(name, read(name, p));
                    } else {
                        LOG.info("Policy: ignoring {} (only {}/*.yaml is loaded)", p, dir);
                    }
                }
            } catch (IOException e) {
                throw new PolicyException(d.toString(), 0, "", "cannot list: " + e.getMessage());
            }
        }
        for (PolicyFile dflt : packaged()) {
            if (!files.containsKey(dflt.name())) {
                LOG.info("Policy: {} not found, using the packaged default {}", jobDir.resolve(dflt.name()), dflt.location());
                files.put(dflt.name(), dflt);
            }
        }
        return files.values();
    }

    private static PolicyFile read(String name, Path p) {
        try {
            return new PolicyFile(name, p.toString(), Files.readAllBytes(p));
        } catch (IOException e) {
            throw new PolicyException(p.toString(), 0, "", "cannot read: " + e.getMessage());
        }
    }

    /** The packaged default files, as listed in the index. */
    static List<PolicyFile> packaged() {
        String indexLocation = "classpath:" + CLASSPATH_DIR + INDEX;
        byte[] index = resource(CLASSPATH_DIR + INDEX);
        if (index == null) {
            throw new PolicyException(indexLocation, 0, "", "missing: the jar was built without the default policies");
        }
        List<PolicyFile> out = new ArrayList<>();
        String[] lines = new String(index, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String name = lines[i].trim();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            if (!isPolicyFile(name)) {
                throw new PolicyException(indexLocation, i + 1, "", "'" + name + "' is not a policy file name");
            }
            byte[] bytes = resource(CLASSPATH_DIR + name);
            if (bytes == null) {
                throw new PolicyException(indexLocation, i + 1, "", "'" + name + "' is listed but not packaged");
            }
            out.add(new PolicyFile(name, "classpath:" + CLASSPATH_DIR + name, bytes));
        }
        return out;
    }

    static boolean isPolicyFile(String name) {
        return name.equals(BURN) || name.equals(DRIFT)
                || name.matches("(" + SLOS + "|" + GATES + ")/[^/]+\\.yaml");
    }

    private static byte[] resource(String path) {
        try (InputStream in = PolicyLoader.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath resource " + path, e);
        }
    }

    /** Validates the given files (relative names as keys) into policies. */
    static Policies parse(Collection<PolicyFile> all) {
        Map<String, PolicyFile> files = new TreeMap<>();
        for (PolicyFile f : all) {
            files.put(f.name(), f);
        }
        BurnSettings burn = SettingsParser.burn(single(require(files, BURN)));
        DriftPolicy drift = SettingsParser.drift(single(require(files, DRIFT)));

        GateParser gates = new GateParser();
        SloParser slos = new SloParser(burn);
        for (PolicyFile f : files.values()) {
            if (f.name().startsWith(GATES + "/")) {
                documents(f).forEach(gates::document);
            } else if (f.name().startsWith(SLOS + "/")) {
                documents(f).forEach(slos::document);
            }
        }
        GatePolicy defaultGate = gates.defaultGate(GATES + "/*.yaml");
        List<SloDefinition> definitions = slos.finish();
        String version = version(files.values());
        Policies policies = new Policies(definitions, defaultGate, gates.serviceGates(defaultGate), drift, burn, version);
        LOG.info("Policy version {}: {} SLOs, gates for {} service override(s), from {} files",
                version, definitions.size(), policies.serviceGates().size(), files.size());
        return policies;
    }

    private static PolicyFile require(Map<String, PolicyFile> files, String name) {
        PolicyFile f = files.get(name);
        if (f == null) {
            throw new PolicyException(name, 0, "", "missing");
        }
        return f;
    }

    private static YamlNode single(PolicyFile f) {
        List<YamlNode> docs = documents(f);
        if (docs.size() != 1) {
            throw new PolicyException(f.location(), docs.isEmpty() ? 0 : docs.get(1).line(), "",
                    "must hold exactly one document, found " + docs.size());
        }
        return docs.get(0);
    }

    /** Every non-empty YAML document of a file, composed to nodes (line numbers kept, nothing constructed). */
    static List<YamlNode> documents(PolicyFile f) {
        return YamlNode.documents(f.location(), f.bytes());
    }

    /** First 12 hex digits of SHA-256 over each file's relative name and bytes, in name order. */
    static String version(Collection<PolicyFile> files) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Map<String, PolicyFile> sorted = new TreeMap<>();
        for (PolicyFile f : files) {
            sorted.put(f.name(), f);
        }
        for (PolicyFile f : sorted.values()) {
            byte[] name = f.name().getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(4).putInt(name.length).array());
            sha.update(name);
            sha.update(ByteBuffer.allocate(8).putLong(f.bytes().length).array());
            sha.update(f.bytes());
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    }
}
