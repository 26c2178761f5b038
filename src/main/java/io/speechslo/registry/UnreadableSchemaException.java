package io.speechslo.registry;

/**
 * The registry has a schema under this id, but it is not an Avro schema we can read (for example a
 * Protobuf or JSON schema). Records carrying this id are undecodable; the registry itself is fine.
 */
public final class UnreadableSchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UnreadableSchemaException(int schemaId, String why) {
        super("schema id " + schemaId + " is not a readable Avro schema: " + why);
    }
}
