package io.speechslo.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.ParsedSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClientConfig;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Our one door to a Confluent-compatible Schema Registry (Confluent, Karapace, Apicurio ccompat,
 * Redpanda, or the local {@link RegistryStandIn}).
 *
 * <p>The conversation (HTTP, caching, basic auth, TLS, retries) is owned by the real Confluent
 * {@code CachedSchemaRegistryClient}, relocated inside flink-sql-avro-confluent-registry. That jar
 * carries its own relocated Avro, so schemas cross this class as JSON text and come out as plain
 * {@link org.apache.avro.Schema}, parsed once per id and cached.
 *
 * <p>Settings are the Confluent client's own keys without the {@code schema.registry.} prefix
 * (e.g. {@code basic.auth.credentials.source}, {@code basic.auth.user.info}; TLS keys keep their
 * {@code schema.registry.ssl.} form), plus {@link #URL}: one or more base URLs, comma-separated.
 * Thread-safe.
 */
public final class SchemaRegistry implements SchemaLookup, AutoCloseable {

    /** Setting with the registry base URL(s), comma-separated. Required. */
    public static final String URL = "url";

    /** How many schemas the client keeps per subject and by id. */
    private static final int CLIENT_CACHE_CAPACITY = 1000;

    /**
     * Unknown ids are remembered this long (unless the settings say otherwise), so a stream of
     * garbage ids does not turn into one HTTP request per record.
     */
    private static final long DEFAULT_MISSING_ID_TTL_SEC = 60;

    /**
     * Settings the Confluent client casts to a boxed number instead of parsing: they are converted
     * here, so every setting can be given as text.
     */
    private static final Map<String, Function<String, Object>> NUMERIC_SETTINGS = Map.of(
            SchemaRegistryClientConfig.MISSING_ID_CACHE_TTL_CONFIG, Long::valueOf,
            SchemaRegistryClientConfig.MISSING_VERSION_CACHE_TTL_CONFIG, Long::valueOf,
            SchemaRegistryClientConfig.MISSING_SCHEMA_CACHE_TTL_CONFIG, Long::valueOf,
            SchemaRegistryClientConfig.MISSING_CACHE_SIZE_CONFIG, Integer::valueOf,
            SchemaRegistryClientConfig.BEARER_AUTH_CACHE_EXPIRY_BUFFER_SECONDS, Short::valueOf);

    private static final int ERROR_SCHEMA_NOT_FOUND = 40403;
    private static final String CLIENT_INVALID_SCHEMA = "Invalid schema";

    private final String urls;
    private final CachedSchemaRegistryClient client;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public SchemaRegistry(Map<String, String> settings) {
        String url = settings.get(URL);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema registry setting '" + URL + "' is missing or blank");
        }
        this.urls = url.trim();
        Map<String, Object> config = new HashMap<>();
        settings.forEach((k, v) -> {
            if (!URL.equals(k)) {
                config.put(k, typed(k, v));
            }
        });
        config.putIfAbsent(SchemaRegistryClientConfig.MISSING_ID_CACHE_TTL_CONFIG, DEFAULT_MISSING_ID_TTL_SEC);
        List<String> baseUrls = Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.client = new CachedSchemaRegistryClient(baseUrls, CLIENT_CACHE_CAPACITY, config);
    }

    private static Object typed(String key, String value) {
        Function<String, Object> parse = NUMERIC_SETTINGS.get(key);
        if (parse == null) {
            return value;
        }
        try {
            return parse.apply(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("schema registry setting '" + key + "' must be a number, got '" + value + "'", e);
        }
    }

    /** Registers {@code schema} under {@code subject} (or finds it there) and returns its global id. */
    public int register(String subject, Schema schema) {
        try {
            int id = client.register(subject, new AvroSchema(schema.toString()));
            schemasById.putIfAbsent(id, schema);
            return id;
        } catch (IOException | RestClientException e) {
            throw new SchemaRegistryException(
                    "could not register " + schema.getFullName() + " under subject '" + subject + "' at " + urls
                            + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        return cached != null ? cached : schemasById.computeIfAbsent(id, this::fetch);
    }

    private Schema fetch(int id) {
        ParsedSchema parsed;
        try {
            parsed = client.getSchemaById(id);
        } catch (RestClientException e) {
            if (e.getErrorCode() == ERROR_SCHEMA_NOT_FOUND) {
                throw new UnknownSchemaIdException(id, e.getMessage());
            }
            throw new SchemaRegistryException("schema registry at " + urls + " failed for schema id " + id
                    + " (HTTP " + e.getStatus() + ", error " + e.getErrorCode() + "): " + e.getMessage(), e);
        } catch (IOException e) {
            // The client signals a schema it has no parser for (Protobuf, JSON) with a bare IOException.
            if (e.getClass() == IOException.class && String.valueOf(e.getMessage()).startsWith(CLIENT_INVALID_SCHEMA)) {
                throw new UnreadableSchemaException(id, e.getMessage());
            }
            throw new SchemaRegistryException(
                    "schema registry at " + urls + " unreachable for schema id " + id + ": " + e, e);
        }
        if (!AvroSchema.TYPE.equals(parsed.schemaType())) {
            throw new UnreadableSchemaException(id, "it is a " + parsed.schemaType() + " schema");
        }
        try {
            return new Schema.Parser().parse(parsed.canonicalString());
        } catch (SchemaParseException e) {
            throw new UnreadableSchemaException(id, e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            throw new SchemaRegistryException("could not close schema registry client for " + urls, e);
        }
    }
}
