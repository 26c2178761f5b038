package io.speechslo.bytes;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8InternerTest {

    private static String intern(Utf8Interner interner, String value) {
        byte[] utf8 = ("xx" + value).getBytes(StandardCharsets.UTF_8); // at an offset, as in a record
        return interner.string(utf8, 2, utf8.length - 2);
    }

    @Test
    void repeatingValuesStaySharedWhileOneOffIdsStreamPast() {
        List<String> repeating = List.of("asr-assistant", "asr-2026.02.0", "en-US", "es-US", "de-DE", "us-east-1",
                "eu-west-1", "mobile", "web", "smart-speaker", "quiet", "noisy", "far-field", "tts-voice", "aria");
        Utf8Interner interner = new Utf8Interner();
        Map<String, String> first = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(4);
        long shared = 0;
        long lookups = 0;
        for (int record = 0; record < 50_000; record++) {
            String id = "asr-assistant-29443680-" + record; // unique and short enough to be cached
            assertThat(intern(interner, id)).isEqualTo(id);
            for (int k = 0; k < 5; k++) {
                String v = repeating.get(rnd.nextInt(repeating.size()));
                String got = intern(interner, v);
                assertThat(got).isEqualTo(v);
                if (record >= 1_000) {
                    lookups++;
                    if (got == first.computeIfAbsent(v, x -> got)) {
                        shared++;
                    }
                } else {
                    first.put(v, got);
                }
            }
        }
        // every repeating value keeps one instance once warm, though 49,000 one-off ids went past
        assertThat(shared).isEqualTo(lookups);
    }

    @Test
    void longAndMultiByteValuesComeBackEqual() {
        Utf8Interner interner = new Utf8Interner();
        for (String v : new String[] {"", "é", "日本語-ja-JP", "x".repeat(Utf8Interner.MAX_BYTES),
                "y".repeat(Utf8Interner.MAX_BYTES + 1)}) {
            assertThat(intern(interner, v)).isEqualTo(v);
            assertThat(intern(interner, v)).isEqualTo(v);
        }
    }

    @Test
    void onlyTheValuesOwnBytesCountWhereverItSitsInTheBuffer() {
        Utf8Interner interner = new Utf8Interner();
        String first = interner.string("mobile|tablet".getBytes(StandardCharsets.UTF_8), 0, 6);
        // the same value followed by other bytes, at the buffer's very end, and after a different prefix
        assertThat(interner.string("mobile#########".getBytes(StandardCharsets.UTF_8), 0, 6)).isSameAs(first);
        assertThat(interner.string("xmobile".getBytes(StandardCharsets.UTF_8), 1, 6)).isSameAs(first);
        assertThat(interner.string("mobile".getBytes(StandardCharsets.UTF_8), 0, 6)).isSameAs(first);
        // values that share words, or differ only in their length or last byte, stay apart
        for (String v : new String[] {"mobil", "mobile2", "mobilf", "smart-speaker-v1", "smart-speaker-v2",
                "smart-speaker-v1-far-field-array", "smart-speaker-v1-far-field-arraz"}) {
            byte[] tail = v.getBytes(StandardCharsets.UTF_8); // ends at the buffer's end
            byte[] padded = (v + "\0\0\0\0\0\0\0\0").getBytes(StandardCharsets.UTF_8);
            String once = interner.string(tail, 0, tail.length);
            assertThat(once).isEqualTo(v);
            assertThat(interner.string(padded, 0, tail.length)).isEqualTo(v).isSameAs(once);
        }
        assertThat(interner.string("mobile".getBytes(StandardCharsets.UTF_8), 0, 6)).isSameAs(first);
        assertThat(interner.string("mobile\0".getBytes(StandardCharsets.UTF_8), 0, 7)).isEqualTo("mobile\0");
    }
}
