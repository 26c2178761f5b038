package io.speechslo.job;

import java.util.List;
import java.util.function.Consumer;

/**
 * A function that holds keyed state as objects between checkpoints ({@link HeldState}, {@link HeldValue});
 * its operator ({@link HeldStateOperator}, {@link HeldStateCoOperator}) writes it back before every
 * checkpoint barrier, at the end of the input, and after a watermark step once too much is held.
 */
interface HoldsState {

    /** One keyed state held as objects between checkpoints. */
    interface Held {

        /** Whether more is held (removals included) than the state allows. */
        boolean full();

        /**
         * Writes everything held back to state and forgets it: for each key, {@code setKey} makes it the
         * current key first.
         */
        void flush(Consumer<String> setKey) throws Exception;
    }

    /** The states held. */
    List<Held> heldStates();

    /** Writes back every held state ({@code setKey} makes a key current) if {@code always}, else only once too much is held. */
    default void flushHeld(Consumer<String> setKey, boolean always) throws Exception {
        boolean full = false;
        for (Held s : heldStates()) {
            full |= s.full();
        }
        if (always || full) {
            for (Held s : heldStates()) {
                s.flush(setKey);
            }
        }
    }
}
