package io.speechslo.aggregate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeenRequestsTest {

    @Test
    void anIdSeenAgainInTheSamePaneIsADuplicateInAnotherPaneItIsNot() {
        SeenRequests seen = new SeenRequests(1_000);
        assertThat(seen.seen(60_000, "a")).isFalse();
        assertThat(seen.seen(60_000, "b")).isFalse();
        assertThat(seen.seen(60_000, "a")).isTrue();
        assertThat(seen.seen(120_000, "a")).isFalse();
        assertThat(seen.size()).isEqualTo(3);
        seen.forgetUpTo(60_000);
        assertThat(seen.size()).isEqualTo(1);
        assertThat(seen.seen(60_000, "a")).isFalse(); // a closed pane is forgotten
    }

    @Test
    void aMillionDistinctIdsAreNoDuplicatesAndEachSeenAgainIs() {
        SeenRequests seen = new SeenRequests(2_000_000);
        for (int i = 0; i < 1_000_000; i++) {
            assertThat(seen.seen(60_000, java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8),
                    (byte) (i >> 16)}).toString())).isFalse();
        }
        int again = 0;
        for (int i = 0; i < 1_000_000; i += 100) {
            if (seen.seen(60_000, java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8),
                    (byte) (i >> 16)}).toString())) {
                again++;
            }
        }
        assertThat(again).isEqualTo(10_000);
    }

    @Test
    void memoryIsBoundedTheOldestPanesGoFirst() {
        SeenRequests seen = new SeenRequests(10);
        for (int i = 0; i < 8; i++) {
            seen.seen(60_000, "old-" + i);
        }
        for (int i = 0; i < 8; i++) {
            seen.seen(120_000, "new-" + i);
        }
        assertThat(seen.size()).isLessThanOrEqualTo(10);
        assertThat(seen.seen(120_000, "new-0")).isTrue();
        assertThat(seen.seen(60_000, "old-0")).isFalse(); // its pane was dropped to make room
    }
}
