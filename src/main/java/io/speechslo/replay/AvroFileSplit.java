package io.speechslo.replay;

import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One telemetry container file as a unit of replay work, and how far it has been read: a checkpoint
 * stores the file and the number of records already emitted, and a restored reader skips that many.
 *
 * @param path the file, absolute; also the split id (files are unique within a replay)
 * @param recordsRead records of the file already emitted
 */
public record AvroFileSplit(String path, long recordsRead) implements SourceSplit, Serializable {

    @Override
    public String splitId() {
        return path;
    }

    /** The split, having emitted {@code recordsRead} records. */
    AvroFileSplit at(long read) {
        return new AvroFileSplit(path, read);
    }

    /** Checkpoint form of one split. */
    static final class Serializer implements SimpleVersionedSerializer<AvroFileSplit> {

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(AvroFileSplit split) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                write(split, out);
            }
            return bytes.toByteArray();
        }

        @Override
        public AvroFileSplit deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return read(in);
            }
        }
    }

    /** Checkpoint form of the enumerator's splits not yet handed out. */
    static final class ListSerializer implements SimpleVersionedSerializer<List<AvroFileSplit>> {

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(List<AvroFileSplit> splits) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(splits.size());
                for (AvroFileSplit s : splits) {
                    write(s, out);
                }
            }
            return bytes.toByteArray();
        }

        @Override
        public List<AvroFileSplit> deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int n = in.readInt();
                List<AvroFileSplit> splits = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    splits.add(read(in));
                }
                return splits;
            }
        }
    }

    private static void write(AvroFileSplit split, DataOutputStream out) throws IOException {
        byte[] path = split.path().getBytes(StandardCharsets.UTF_8);
        out.writeInt(path.length);
        out.write(path);
        out.writeLong(split.recordsRead());
    }

    private static AvroFileSplit read(DataInputStream in) throws IOException {
        byte[] path = new byte[in.readInt()];
        in.readFully(path);
        return new AvroFileSplit(new String(path, StandardCharsets.UTF_8), in.readLong());
    }

    private static void checkVersion(int version) throws IOException {
        if (version != 1) {
            throw new IOException("unknown AvroFileSplit serialization version " + version);
        }
    }
}
