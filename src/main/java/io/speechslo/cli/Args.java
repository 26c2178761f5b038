package io.speechslo.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Command-line flags of one subcommand: {@code --name value}, {@code --name=value}, repeatable flags
 * and boolean switches. Anything unknown or malformed is a {@link UsageException} that names the flag.
 */
public final class Args {

    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Args() {}

    /**
     * @param valued flags that take a value (may repeat)
     * @param switches flags that take none
     */
    public static Args parse(String command, List<String> argv, Set<String> valued, Set<String> switches) {
        Args a = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (!arg.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (switches.contains(name)) {
                if (value != null) {
                    throw new UsageException(command + ": --" + name + " takes no value");
                }
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.size() || argv.get(i + 1).startsWith("--")) {
                        throw new UsageException(command + ": --" + name + " needs a value");
                    }
                    value = argv.get(++i);
                }
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException(command + ": unknown flag --" + name);
            }
        }
        return a;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** The value of a flag given at most once. */
    public Optional<String> one(String command, String name) {
        List<String> v = all(name);
        if (v.size() > 1) {
            throw new UsageException(command + ": --" + name + " given " + v.size() + " times");
        }
        return v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public String required(String command, String name) {
        return one(command, name).orElseThrow(() -> new UsageException(command + ": --" + name + " is required"));
    }

    public long longValue(String command, String name, long dflt) {
        Optional<String> v = one(command, name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, not '" + v.get() + "'");
        }
    }

    /** A bad command line: the message is for the user, exit code 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
