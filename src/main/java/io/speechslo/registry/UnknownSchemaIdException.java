package io.speechslo.registry;

/**
 * The registry answered that it has no schema with this id (Confluent error 40403). A record carrying
 * such an id cannot be decoded and belongs in the dead letters; the registry itself is fine.
 */
public final class UnknownSchemaIdException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    public UnknownSchemaIdException(int schemaId, String registryMessage) {
        super("schema id " + schemaId + " is not known to the schema registry: " + registryMessage);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
