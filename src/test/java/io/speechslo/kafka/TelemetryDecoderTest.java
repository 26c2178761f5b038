package io.speechslo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speechslo.registry.SchemaLookup;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.registry.SchemaRegistryException;
import io.speechslo.telemetry.AccessPurpose;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;
import io.speechslo.testing.RegistryServer;
import io.speechslo.testing.TelemetrySamples;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.nio.ByteBuffer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

class TelemetryDecoderTest {

    @RegisterExtension
    static final RegistryServer REGISTRY = new RegistryServer();

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    private static SchemaRegistry registry;
    private static int asrId;
    private static int ttsId;

    private final ConfluentWire wire = new ConfluentWire();

    @BeforeAll
    static void register() {
        registry = REGISTRY.client();
        asrId = registry.register("asr-value", AsrRequest.getClassSchema());
        ttsId = registry.register("tts-value", TtsRequest.getClassSchema());
    }

    @AfterAll
    static void closeClient() {
        registry.close();
    }

    @Test
    void asrAndTtsRoundTripThroughTheWireFormat() {
        AsrRequest asr = TelemetrySamples.asr(1, T0).build();
        TtsRequest tts = TelemetrySamples.tts(2, T0).setPreference(null).build();
        TelemetryDecoder decoder = new TelemetryDecoder(registry);

        Decoded a = decoder.decode(wire.encode(asrId, asr));
        Decoded t = decoder.decode(wire.encode(ttsId, tts));

        assertThat(a.isOk()).as(a.detail()).isTrue();
        assertThat(a.record()).isEqualTo(asr);
        assertThat(a.schemaId()).isEqualTo(asrId);
        assertThat(t.record()).isEqualTo(tts);
        assertThat(t.schemaId()).isEqualTo(ttsId);
    }

    @Test
    void servingSamplesAndPrivacyEventsRoundTripWhateverTopicTheyWereRegisteredFor() {
        int servingId = registry.register("speech.serving.samples-value", ServingSample.getClassSchema());
        int privacyId = registry.register("speech.privacy.events-value", PrivacyEvent.getClassSchema());
        ServingSample sample = TelemetrySamples.serving(1, T0).build();
        ServingSample settled = TelemetrySamples.serving(2, T0).setReadyReplicas(3).setScaleUpRequestedAt(null).build();
        PrivacyEvent access = TelemetrySamples.privacy(3, T0).build();
        PrivacyEvent retention = PrivacyEvent.newBuilder().setEventTime(T0).setService("dictation")
                .setKind(PrivacyEventKind.RETENTION).setRetentionDue(40).setRetentionDone(38).build();
        PrivacyEvent redaction = TelemetrySamples.privacy(4, T0).setKind(PrivacyEventKind.REDACTION).setPurpose(null)
                .setOptedIn(null).setRedaction(Redaction.FAILED).build();
        TelemetryDecoder decoder = new TelemetryDecoder(registry);

        for (var sent : List.of(sample, settled)) {
            Decoded d = decoder.decode(wire.encode(servingId, sent));
            assertThat(d.isOk()).as(d.detail()).isTrue();
            assertThat(d.record()).isEqualTo(sent);
            assertThat(d.schemaId()).isEqualTo(servingId);
        }
        for (var sent : List.of(access, retention, redaction)) {
            Decoded d = decoder.decode(wire.encode(privacyId, sent));
            assertThat(d.isOk()).as(d.detail()).isTrue();
            assertThat(d.record()).isEqualTo(sent);
        }
        assertThat(((PrivacyEvent) decoder.decode(wire.encode(privacyId, access)).record()).getPurpose())
                .isEqualTo(AccessPurpose.LABELLING);
        // requests in between still decode: the decoder keeps a reader per schema id
        assertThat(decoder.decode(wire.encode(asrId, TelemetrySamples.asr(1, T0).build())).isOk()).isTrue();
    }

    @Test
    void anOlderServingWriterWithoutTheScaleUpFieldDecodesWithNull() {
        Schema older = evolve(ServingSample.getClassSchema(), fields -> {
            fields.removeIf(f -> f.name().equals("scale_up_requested_at"));
            return fields;
        });
        ServingSample original = TelemetrySamples.serving(5, T0).build();
        int id = registry.register("speech.serving.samples-value", older);

        Decoded decoded = new TelemetryDecoder(registry).decode(wire.encode(id, copy(original, older)));

        assertThat(decoded.isOk()).as(decoded.detail()).isTrue();
        assertThat(decoded.record()).isEqualTo(ServingSample.newBuilder(original).setScaleUpRequestedAt(null).build());
    }

    @Test
    void repeatedShortStringsComeBackAsOneInstanceAndEveryStringKeepsItsContent() {
        TelemetryDecoder decoder = new TelemetryDecoder(registry);
        java.util.List<AsrRequest> sent = new java.util.ArrayList<>();
        java.util.List<AsrRequest> back = new java.util.ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            AsrRequest r = TelemetrySamples.asr(i, T0)
                    // repeated values, and (until record 1,000) ever new ones that churn the cache
                    .setRegion(i % 2 == 0 ? "eu-west-1" : "region-" + (i < 1_000 ? i : i % 20))
                    .setRequestId("request-" + i + "-a-long-identifier-of-more-than-32-bytes")
                    .build();
            sent.add(r);
            Decoded d = decoder.decode(wire.encode(asrId, r));
            assertThat(d.isOk()).as(d.detail()).isTrue();
            back.add((AsrRequest) d.record());
        }
        assertThat(back).isEqualTo(sent);
        assertThat(back.get(2).getRegion()).isSameAs(back.get(2_998).getRegion());
        assertThat(back.get(2).getService()).isSameAs(back.get(2_999).getService());
    }

    @Test
    void headerIsMagicByteThenBigEndianSchemaId() {
        byte[] value = wire.encode(0x01020304, TelemetrySamples.asr(1, T0).build());
        assertThat(Arrays.copyOf(value, 5)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void newerWriterWithExtraFieldsOfEveryKindDecodes() {
        Schema evolved = evolve(AsrRequest.getClassSchema(), fields -> {
            fields.add(new Schema.Field("tags", SchemaBuilder.array().items().stringType(), null, List.of()));
            fields.add(new Schema.Field("counters", SchemaBuilder.map().values().longType(), null, Map.of()));
            fields.add(new Schema.Field("blob", Schema.create(Schema.Type.BYTES), null, new byte[0]));
            fields.add(new Schema.Field("hash", SchemaBuilder.fixed("Hash").namespace("x").size(4), null, null));
            fields.add(new Schema.Field("mood", SchemaBuilder.enumeration("Mood").namespace("x").symbols("CALM", "ANGRY"),
                    null, "CALM"));
            fields.add(new Schema.Field("gain", Schema.create(Schema.Type.DOUBLE), null, 1.0));
            return fields;
        });
        AsrRequest original = TelemetrySamples.asr(3, T0).build();
        GenericRecord written = copy(original, evolved);
        written.put("tags", List.of("a", "bb", "ccc"));
        Map<String, Long> counters = new HashMap<>();
        counters.put("x", 7L);
        written.put("counters", counters);
        written.put("blob", ByteBuffer.wrap(new byte[] {9, 8, 7}));
        written.put("hash", new GenericData.Fixed(evolved.getField("hash").schema(), new byte[] {1, 2, 3, 4}));
        written.put("mood", new GenericData.EnumSymbol(evolved.getField("mood").schema(), "ANGRY"));
        written.put("gain", 2.5);
        int id = registry.register("asr-value", evolved);

        Decoded decoded = new TelemetryDecoder(registry).decode(wire.encode(id, written));

        assertThat(decoded.isOk()).as(decoded.detail()).isTrue();
        assertThat(decoded.record()).isEqualTo(original);
    }

    @Test
    void olderWriterWithoutOptionalFieldsDecodesWithDefaults() {
        Schema older = evolve(AsrRequest.getClassSchema(), fields -> {
            fields.removeIf(f -> f.name().equals("snr_db") || f.name().equals("speech_level_dbfs"));
            return fields;
        });
        AsrRequest original = TelemetrySamples.asr(4, T0).build();
        int id = registry.register("asr-value", older);

        Decoded decoded = new TelemetryDecoder(registry).decode(wire.encode(id, copy(original, older)));

        assertThat(decoded.isOk()).as(decoded.detail()).isTrue();
        AsrRequest expected = AsrRequest.newBuilder(original).setSnrDb(null).setSpeechLevelDbfs(null).build();
        assertThat(decoded.record()).isEqualTo(expected);
    }

    @Test
    void incompatibleWriterIsUndecodable() {
        Schema incompatible = evolve(AsrRequest.getClassSchema(), fields -> {
            fields.replaceAll(f -> f.name().equals("audio_ms") ? new Schema.Field("audio_ms", Schema.create(Schema.Type.STRING)) : f);
            return fields;
        });
        GenericRecord written = copy(TelemetrySamples.asr(5, T0).build(), incompatible);
        written.put("audio_ms", "long");
        int id = registry.register("asr-value", incompatible);

        Decoded decoded = new TelemetryDecoder(registry).decode(wire.encode(id, written));

        assertThat(decoded.reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(decoded.schemaId()).isEqualTo(id);
        assertThat(decoded.detail()).contains("cannot be read with our schema").contains("audio_ms");
    }

    @Test
    void recordOfAnotherTypeIsUndecodable() {
        Schema other = SchemaBuilder.record("Payment").namespace("com.example").fields().requiredString("id").endRecord();
        int id = registry.register("payments-value", other);
        GenericRecord payment = new GenericData.Record(other);
        payment.put("id", "p-1");

        Decoded decoded = new TelemetryDecoder(registry).decode(wire.encode(id, payment));

        assertThat(decoded.reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(decoded.detail()).contains("com.example.Payment, not a telemetry record")
                .contains("io.speechslo.telemetry.ServingSample or io.speechslo.telemetry.PrivacyEvent");
    }

    @Test
    void nonAvroSchemaIdIsUndecodable() throws Exception {
        String protobuf = "{\"schemaType\": \"PROTOBUF\", \"schema\": \"syntax = \\\"proto3\\\"; message M { string a = 1; }\"}";
        HttpResponse<String> registered = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(REGISTRY.url() + "/subjects/proto-value/versions"))
                        .POST(HttpRequest.BodyPublishers.ofString(protobuf)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        int id = Integer.parseInt(registered.body().replaceAll("\\D", ""));
        byte[] value = {0, 0, 0, 0, (byte) id, 2, 'a'};

        Decoded decoded = new TelemetryDecoder(registry).decode(value);

        assertThat(decoded.reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(decoded.schemaId()).isEqualTo(id);
        assertThat(decoded.detail()).contains("not a readable Avro schema").contains("PROTOBUF");
    }

    @Test
    void missingOrWrongMagicByteIsBadMagicByte() {
        TelemetryDecoder decoder = new TelemetryDecoder(registry);
        byte[] json = "{\"request_id\": \"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        for (byte[] value : List.of(json, new byte[0])) {
            Decoded decoded = decoder.decode(value);
            assertThat(decoded.reason()).isEqualTo(DeadLetterReason.BAD_MAGIC_BYTE);
            assertThat(decoded.schemaId()).isNull();
        }
        assertThat(decoder.decode(null).reason()).isEqualTo(DeadLetterReason.BAD_MAGIC_BYTE);
        assertThat(decoder.decode(json).detail()).contains("0x7b");
    }

    @Test
    void unknownSchemaIdIsReportedWithTheId() {
        byte[] value = wire.encode(9_999, TelemetrySamples.asr(1, T0).build());

        Decoded decoded = new TelemetryDecoder(registry).decode(value);

        assertThat(decoded.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA_ID);
        assertThat(decoded.schemaId()).isEqualTo(9_999);
        assertThat(decoded.detail()).contains("9999");
    }

    @Test
    void truncatedShortHeaderTrailingAndGarbageBytesAreUndecodable() {
        TelemetryDecoder decoder = new TelemetryDecoder(registry);
        byte[] good = wire.encode(asrId, TelemetrySamples.asr(1, T0).build());
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        // header, then a string length of 2^30 where request_id should be: garbage asking for 1 GiB
        byte[] hugeLength = {0, 0, 0, 0, (byte) asrId, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'x'};
        hugeLength[4] = (byte) asrId;

        assertUndecodable(decoder.decode(Arrays.copyOf(good, good.length - 4)), "truncated");
        assertUndecodable(decoder.decode(Arrays.copyOf(good, 3)), "header");
        assertUndecodable(decoder.decode(trailing), "3 bytes left over");
        assertUndecodable(decoder.decode(hugeLength), "truncated");
        // the decoder is still usable after failures
        assertThat(decoder.decode(good).isOk()).isTrue();
    }

    @Test
    void asksTheRegistryOncePerSchemaId() {
        List<Integer> asked = new ArrayList<>();
        SchemaLookup counting = id -> {
            asked.add(id);
            return registry.schemaById(id);
        };
        TelemetryDecoder decoder = new TelemetryDecoder(counting);
        for (int i = 0; i < 5; i++) {
            assertThat(decoder.decode(wire.encode(asrId, TelemetrySamples.asr(i, T0).build())).isOk()).isTrue();
            assertThat(decoder.decode(wire.encode(ttsId, TelemetrySamples.tts(i, T0).build())).isOk()).isTrue();
        }
        assertThat(asked).containsExactly(asrId, ttsId);
    }

    @Test
    void unreachableRegistryIsThrownNotDeadLettered() {
        SchemaRegistry nowhere = new SchemaRegistry(Map.of(SchemaRegistry.URL, "http://127.0.0.1:1"));
        TelemetryDecoder decoder = new TelemetryDecoder(nowhere);
        byte[] value = wire.encode(asrId, TelemetrySamples.asr(1, T0).build());

        assertThatThrownBy(() -> decoder.decode(value))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("http://127.0.0.1:1");
        nowhere.close();
    }

    private static void assertUndecodable(Decoded decoded, String detailPart) {
        assertThat(decoded.reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(decoded.detail()).contains(detailPart);
        assertThat(decoded.record()).isNull();
    }

    /** Same record name, fields changed by {@code change}. */
    private static Schema evolve(Schema base, UnaryOperator<List<Schema.Field>> change) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : base.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, change.apply(fields));
    }

    /** The fields of {@code record} that {@code schema} has, as a generic record of {@code schema}. */
    private static GenericRecord copy(org.apache.avro.specific.SpecificRecordBase record, Schema schema) {
        GenericRecord copy = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            Schema.Field source = record.getSchema().getField(f.name());
            if (source != null) {
                copy.put(f.name(), record.get(source.pos()));
            }
        }
        return copy;
    }
}
