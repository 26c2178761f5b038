package io.speechslo.replay;

import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Writes telemetry as Avro object container files, as Kafka Connect's S3 sink would, with any writer schema. */
final class ContainerFiles {

    private ContainerFiles() {}

    /** Writes records with their own class schema. */
    static void write(Path file, List<? extends SpecificRecord> records, CodecFactory codec) throws IOException {
        write(file, records.get(0).getSchema(), records, codec, g -> {});
    }

    /**
     * Writes records with {@code writer} as the file schema: each record is resolved from its class
     * schema to {@code writer} (dropping fields the writer lacks, filling defaults for fields it adds),
     * then {@code tweak} may set the added fields.
     */
    static void write(Path file, Schema writer, List<? extends SpecificRecord> records, CodecFactory codec,
            Consumer<GenericRecord> tweak) throws IOException {
        Files.createDirectories(file.getParent());
        Schema ours = records.get(0).getSchema();
        SpecificDatumWriter<SpecificRecord> encode = new SpecificDatumWriter<>(ours);
        GenericDatumReader<GenericRecord> resolve = new GenericDatumReader<>(ours, writer);
        try (DataFileWriter<GenericRecord> out = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(writer))) {
            out.setCodec(codec);
            out.create(writer, file.toFile());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder enc = null;
            GenericRecord g = null;
            for (SpecificRecord r : records) {
                bytes.reset();
                enc = EncoderFactory.get().binaryEncoder(bytes, enc);
                encode.write(r, enc);
                enc.flush();
                g = resolve.read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
                tweak.accept(g);
                out.append(g);
            }
        }
    }

    /** A copy of a record schema with one field left out (an older writer). */
    static Schema without(Schema schema, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            if (!f.name().equals(field)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    /** A copy of a record schema with one more field (a newer writer). */
    static Schema with(Schema schema, Schema.Field added) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(added);
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }
}
