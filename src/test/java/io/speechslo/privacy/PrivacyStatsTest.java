package io.speechslo.privacy;

import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.telemetry.AccessPurpose;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.Redaction;
import io.speechslo.testing.TelemetrySamples;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrivacyStatsTest {

    private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

    private static PrivacyEvent access(AccessPurpose purpose, Boolean optedIn) {
        return TelemetrySamples.privacy(1, T0).setPurpose(purpose).setOptedIn(optedIn).build();
    }

    private static PrivacyEvent retention(int due, int done) {
        return PrivacyEvent.newBuilder().setEventTime(T0).setService("dictation").setKind(PrivacyEventKind.RETENTION)
                .setRetentionDue(due).setRetentionDone(done).build();
    }

    private static PrivacyEvent redaction(Redaction outcome) {
        return PrivacyEvent.newBuilder().setEventTime(T0).setService("dictation").setKind(PrivacyEventKind.REDACTION)
                .setRedaction(outcome).build();
    }

    private static PrivacyEvent fixtureRun(int covered, int total) {
        return PrivacyEvent.newBuilder().setEventTime(T0).setService("dictation").setKind(PrivacyEventKind.FIXTURE_RUN)
                .setFixtureSet("accents-v3").setFixtureSlicesCovered(covered).setFixtureSlicesTotal(total).build();
    }

    private static List<String> shown(PrivacyStats s) {
        List<String> out = new ArrayList<>();
        for (ScorecardValue v : s.values()) {
            assertThat(v.getRelativeAccuracy()).isNull();
            out.add(v.getName() + "=" + v.getValue() + "/" + v.getSamples());
        }
        return out;
    }

    private static List<PrivacyEvent> window() {
        return List.of(
                access(AccessPurpose.DEBUGGING, false),
                access(AccessPurpose.LABELLING, true),
                access(AccessPurpose.LABELLING, true),
                access(AccessPurpose.REVIEW, true),
                access(AccessPurpose.REVIEW, false), // a review the speaker never agreed to: the finding
                access(AccessPurpose.REVIEW, true),
                retention(40, 38),
                retention(10, 10),
                redaction(Redaction.REDACTED),
                redaction(Redaction.FAILED),
                redaction(Redaction.NOT_NEEDED),
                fixtureRun(9, 12),
                fixtureRun(3, 4));
    }

    @Test
    void valuesAreTheHandComputedFigures() {
        PrivacyStats s = new PrivacyStats();
        window().forEach(s::add);
        assertThat(shown(s)).containsExactly(
                "raw_audio_accesses=6.0/6",
                "raw_audio_accesses_debugging=1.0/6",
                "raw_audio_accesses_labelling=2.0/6",
                "raw_audio_accesses_review=3.0/6",
                "reviews_opted_in=2.0/3",
                "reviews_without_opt_in=1.0/3",
                "retention_due=50.0/2",
                "retention_overdue=2.0/2",
                "redaction_failed_events=1.0/3",
                "fixture_runs=2.0/2",
                "fixture_coverage=0.75/2"); // (9 + 3) / (12 + 4)
        assertThat(s.values()).extracting(ScorecardValue::getName).containsExactlyElementsOf(PrivacyStats.NAMES);
        assertThat(s.events()).isEqualTo(13);
    }

    @Test
    void aCleanWindowIsZeroWithItsSamplesAndAbsentEventsAreNull() {
        PrivacyStats s = new PrivacyStats();
        s.add(access(AccessPurpose.REVIEW, true));
        s.add(access(AccessPurpose.REVIEW, true));
        assertThat(shown(s)).contains("reviews_without_opt_in=0.0/2", "raw_audio_accesses_debugging=0.0/2",
                "retention_overdue=null/0", "redaction_failed_events=null/0", "fixture_runs=null/0",
                "fixture_coverage=null/0");
    }

    @Test
    void withoutEventsEveryValueIsNullWithNoSamples() {
        PrivacyStats empty = new PrivacyStats();
        assertThat(empty.values()).hasSize(PrivacyStats.NAMES.size()).allSatisfy(v -> {
            assertThat(v.getValue()).isNull();
            assertThat(v.getSamples()).isZero();
        });
        assertThat(shown(PrivacyStats.fromBytes(empty.toBytes()))).isEqualTo(shown(empty));
    }

    @Test
    void mergingAnySplitInAnyOrderGivesTheSameValuesAndBytes() {
        List<PrivacyEvent> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.addAll(window());
        }
        PrivacyStats whole = new PrivacyStats();
        events.forEach(whole::add);
        Random rnd = new Random(3);
        for (int round = 0; round < 20; round++) {
            List<PrivacyEvent> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, rnd);
            List<PrivacyStats> parts = new ArrayList<>();
            PrivacyStats part = new PrivacyStats();
            for (PrivacyEvent e : shuffled) {
                part.add(e);
                if (rnd.nextInt(15) == 0) {
                    parts.add(part);
                    part = new PrivacyStats();
                }
            }
            parts.add(part);
            Collections.shuffle(parts, rnd);
            PrivacyStats merged = new PrivacyStats();
            for (PrivacyStats p : parts) {
                merged.merge(PrivacyStats.fromBytes(p.toBytes()));
            }
            assertThat(merged.values()).isEqualTo(whole.values());
            assertThat(merged.toBytes()).isEqualTo(whole.toBytes());
        }
    }

    @Test
    void bytesRoundTripAndAnotherVersionIsRefused() {
        PrivacyStats s = new PrivacyStats();
        window().forEach(s::add);
        byte[] bytes = s.toBytes();
        assertThat(PrivacyStats.fromBytes(bytes).values()).isEqualTo(s.values());
        assertThat(PrivacyStats.fromBytes(bytes).toBytes()).isEqualTo(bytes);
        assertThat(bytes.length).isLessThan(24);
        bytes[0] = 2;
        assertThatThrownBy(() -> PrivacyStats.fromBytes(bytes)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("format version 2");
    }
}
