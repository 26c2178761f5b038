package io.speechslo.policy.load;

/**
 * A policy file that cannot be used, with the place at fault: the message reads
 * {@code <file>:<line>: <field path>: <problem>}, so the job refuses to start and says exactly what to fix.
 */
public class PolicyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String field;

    /**
     * @param file the file as the user knows it (a path, or classpath:... for a packaged default)
     * @param line 1-based line, or 0 when the problem is the file as a whole
     * @param field dotted path of the offending field inside the document, e.g. spec.asr[2].metric
     */
    public PolicyException(String file, int line, String field, String problem) {
        super(format(file, line, field, problem));
        this.file = file;
        this.line = line;
        this.field = field;
    }

    private static String format(String file, int line, String field, String problem) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        if (field != null && !field.isEmpty()) {
            sb.append(": ").append(field);
        }
        return sb.append(": ").append(problem).toString();
    }

    public String file() {
        return file;
    }

    /** 1-based line, 0 when not tied to a line. */
    public int line() {
        return line;
    }

    /** The field path, empty when the problem is a whole file or document. */
    public String field() {
        return field == null ? "" : field;
    }
}
