package io.speechslo.policy.load;

import io.speechslo.policy.Policies;

import java.io.Serializable;
import java.util.List;

/**
 * The policy files the job was started with, validated on the client and carried inside the job
 * graph, so every task manager decides with exactly the same bytes (and the same policy_version),
 * whatever its own file system holds.
 */
public final class PolicyBundle implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One policy file: its name relative to the job folder, where it was read from, and its content. */
    public record File(String name, String location, byte[] bytes) implements Serializable {}

    private final List<File> files;
    private transient Policies policies;

    PolicyBundle(List<File> files) {
        this.files = List.copyOf(files);
    }

    public List<File> files() {
        return files;
    }

    /** The parsed policies (parsed once per JVM copy of the bundle). */
    public synchronized Policies policies() {
        if (policies == null) {
            policies = PolicyLoader.load(this);
        }
        return policies;
    }
}
