package io.speechslo.job;

import java.util.List;
import java.util.function.Consumer;

/**
 * A function that holds keyed map state as objects between checkpoints ({@link HeldState}); its
 * operator ({@link HeldStateOperator}, {@link HeldStateCoOperator}) writes it back before every
 * checkpoint barrier, at the end of the input, and after a watermark step once too much is held.
 */
interface HoldsState {

    /** The states held. */
    List<HeldState<?, ?>> heldStates();

    /** Writes back every held state ({@code setKey} makes a key current) if {@code always}, else only once too much is held. */
    default void flushHeld(Consumer<String> setKey, boolean always) throws Exception {
        boolean full = false;
        for (HeldState<?, ?> s : heldStates()) {
            full |= s.full();
        }
        if (always || full) {
            for (HeldState<?, ?> s : heldStates()) {
                s.flush(setKey);
            }
        }
    }
}
