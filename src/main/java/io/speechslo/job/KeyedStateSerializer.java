package io.speechslo.job;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the serializers of the objects kept in keyed state (slice panes, engines) share: they have no
 * configuration (an engine's state carries none; the function attaches it again after every read),
 * the type is mutable, and the bytes are the object's own writeTo/readFrom in a numbered format.
 *
 * <p>Why formats: a savepoint must restore into every later release, so a change of an object's bytes
 * gets a new format number instead of a new state name. The serializer's snapshot ({@link FormatSnapshot})
 * records the format the state's bytes were written in. A serializer restored from an older snapshot
 * reads that older format and writes the current one; the current serializer then answers
 * {@code compatibleAfterMigration} and Flink migrates (the heap backend keeps the objects read at restore,
 * RocksDB reads every value with the restored serializer and rewrites it with the current one). Each
 * class keeps its format constants and the reading of every earlier format next to its writeTo/readFrom.
 * Whatever the format read, a serializer writes the current one, and its snapshot says so.
 *
 * <p>A copy goes through the current format, so it shares nothing with the original, and it comes back
 * without configuration like any other read. Objects live on the heap backend as they are, so they are
 * written only at checkpoints.
 */
abstract class KeyedStateSerializer<T> extends TypeSerializer<T> {

    private static final long serialVersionUID = 2L;

    private static final ThreadLocal<DataOutputSerializer> BUFFER =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(4096));
    private static final int MAX_KEPT_BUFFER = 1 << 20;

    /** The format this serializer reads: the current one, or an older one it was restored for. */
    final int readFormat;

    KeyedStateSerializer(int readFormat) {
        if (readFormat < 1 || readFormat > currentFormat()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " reads formats 1 to " + currentFormat()
                    + ", not " + readFormat);
        }
        this.readFormat = readFormat;
    }

    /** The format written. */
    abstract int currentFormat();

    /** Writes in the current format. */
    abstract void write(T value, DataOutputView target) throws IOException;

    /** Reads bytes written in {@code format} (1 up to the current one). */
    abstract T read(DataInputView source, int format) throws IOException;

    /**
     * Writes into memory first and hands the target one array: a checkpoint stream takes bytes one
     * virtual call per byte through several wrappers, which cost more than the encoding itself.
     */
    @Override
    public final void serialize(T value, DataOutputView target) throws IOException {
        if (target instanceof DataOutputSerializer) {
            write(value, target); // already in memory (RocksDB, copies)
            return;
        }
        DataOutputSerializer buffer = BUFFER.get();
        buffer.clear();
        write(value, buffer);
        target.write(buffer.getSharedBuffer(), 0, buffer.length());
        if (buffer.getSharedBuffer().length > MAX_KEPT_BUFFER) {
            BUFFER.remove(); // one large value does not pin its buffer on the thread
        }
    }

    @Override
    public final T deserialize(DataInputView source) throws IOException {
        return read(source, readFormat);
    }

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return this; // stateless
    }

    @Override
    public final T createInstance() {
        return null;
    }

    @Override
    public final T copy(T from) {
        DataOutputSerializer out = new DataOutputSerializer(4096);
        try {
            write(from, out);
            return read(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()), currentFormat());
        } catch (IOException e) {
            throw new UncheckedIOException(getClass().getSimpleName() + " could not copy " + from, e);
        }
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass() && ((KeyedStateSerializer<?>) obj).readFormat == readFormat;
    }

    @Override
    public final int hashCode() {
        return 31 * getClass().hashCode() + readFormat;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(reads format " + readFormat + ", writes " + currentFormat() + ")";
    }

    /**
     * The snapshot of a {@link KeyedStateSerializer}: the format the state's bytes are in. Each serializer
     * has its own subclass (Flink finds it by class name in the savepoint, so the class names
     * {@code XSerializer$Snapshot} never change). Snapshot versions 1 to 3 were Flink's
     * SimpleTypeSerializerSnapshot, which recorded no format (2 wrote the serializer's class name): state
     * written then is in the serializer's {@link #legacyFormat()}. Version 4 writes the format.
     */
    abstract static class FormatSnapshot<T> implements TypeSerializerSnapshot<T> {

        /** 4: the format as an int; 1-3: SimpleTypeSerializerSnapshot, the legacy format. */
        private static final int VERSION = 4;

        private int format;

        /** @param format the format of the state's bytes */
        FormatSnapshot(int format) {
            this.format = format;
        }

        /** The serializer reading {@code format}. */
        abstract KeyedStateSerializer<T> serializer(int format);

        /** The format of state whose snapshot recorded none (snapshot versions 1 to 3, before 2026-12-05). */
        abstract int legacyFormat();

        /** The format the state's bytes are in. */
        final int format() {
            return format;
        }

        @Override
        public final int getCurrentVersion() {
            return VERSION;
        }

        @Override
        public final void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(format);
        }

        @Override
        public final void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
            switch (readVersion) {
                case 1, 3 -> format = legacyFormat();
                case 2 -> {
                    in.readUTF(); // the serializer's class name
                    format = legacyFormat();
                }
                case VERSION -> format = in.readInt();
                default -> throw new IOException(getClass().getName() + ": snapshot version " + readVersion
                        + " is newer than this release reads (" + VERSION + "); restore it with a newer release");
            }
        }

        @Override
        public final TypeSerializer<T> restoreSerializer() {
            return serializer(format);
        }

        /**
         * Called on the current serializer's snapshot with the snapshot found in the savepoint: the same
         * format as is, an older one after migration, a newer one (a downgrade) or another serializer's
         * not at all.
         */
        @Override
        public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
            if (old == null || old.getClass() != getClass()) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            int written = ((FormatSnapshot<T>) old).format;
            if (written == format) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            return written < format ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }

        @Override
        public final boolean equals(Object o) {
            return o != null && o.getClass() == getClass() && ((FormatSnapshot<?>) o).format == format;
        }

        @Override
        public final int hashCode() {
            return 31 * getClass().hashCode() + format;
        }

        @Override
        public String toString() {
            return getClass().getName() + "(format " + format + ")";
        }
    }
}
