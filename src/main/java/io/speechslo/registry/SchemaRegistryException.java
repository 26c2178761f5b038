package io.speechslo.registry;

/**
 * The schema registry could not be used: unreachable, refused the credentials, answered with a server
 * error or rejected a schema. Unlike {@link UnknownSchemaIdException} this says nothing about a single
 * record, so callers must not turn it into a dead letter; it should fail (and restart) the job.
 */
public final class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
