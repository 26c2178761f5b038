package io.speechslo.registry;

import org.apache.avro.Schema;

/**
 * Finds the writer schema behind a Confluent wire-format schema id. {@link SchemaRegistry} is the
 * production implementation; the decoder depends only on this so it can be exercised without HTTP.
 */
@FunctionalInterface
public interface SchemaLookup {

    /**
     * The schema registered under {@code id}.
     *
     * @throws UnknownSchemaIdException if the registry has no schema with that id
     * @throws UnreadableSchemaException if the schema under that id is not Avro we can read
     * @throws SchemaRegistryException if the registry cannot be asked (network, auth, server error)
     */
    Schema schemaById(int id);
}
