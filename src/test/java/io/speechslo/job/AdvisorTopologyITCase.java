package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.fixtures.Pipelines;
import io.speechslo.fixtures.Traffic;
import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.telemetry.Track;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole topology on a MiniCluster at parallelism 2, from bounded telemetry to collected advisories. */
class AdvisorTopologyITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static List<Ingested> input;

    @BeforeAll
    static void telemetry() {
        List<SpecificRecord> records = Traffic.healthyRegressingBurning(17, T0, 200, 300);
        List<SpecificRecord> withShadow = new ArrayList<>(records);
        withShadow.addAll(new Traffic(18).asr("asr-regress", "v3", Track.SHADOW, T0, 70, 50, 3.0, 0.5).records());
        withShadow.sort((a, b) -> Long.compare(Traffic.eventTime(a), Traffic.eventTime(b)));
        records = withShadow;
        input = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            input.add(Ingested.of(records.get(i), "speech.asr.requests", 0, i));
            if (i % 20_000 == 0) {
                input.add(Ingested.dead(DeadLetters.of("speech.asr.requests", 1, i, null, new byte[] {9, 9},
                        DeadLetterReason.BAD_MAGIC_BYTE, "first byte is 9, not 0", null, T0)));
            }
        }
    }

    static Pipelines.Run run() throws Exception {
        return Pipelines.run(input, PolicyLoader.bundleDefaults());
    }

    private static List<Advisory> of(List<Advisory> all, String service, AdvisoryKind kind) {
        return all.stream().filter(a -> a.getService().equals(service) && a.getKind() == kind)
                .sorted((a, b) -> Long.compare(a.getWindowEnd(), b.getWindowEnd())).toList();
    }

    @Test
    void healthyRolloutContinuesRegressingRollsBackBurningSloPagesAndBadRecordsAreDeadLettered() throws Exception {
        Pipelines.Run first = run();
        List<Advisory> all = first.advisories();

        List<Advisory> healthy = of(all, "asr-healthy", AdvisoryKind.ROLLOUT);
        assertThat(healthy).isNotEmpty();
        assertThat(healthy).extracting(Advisory::getDecision).doesNotContain(Decision.ROLLBACK);
        assertThat(healthy.get(healthy.size() - 1).getDecision()).isEqualTo(Decision.CONTINUE);

        List<Advisory> regress = of(all, "asr-regress", AdvisoryKind.ROLLOUT);
        assertThat(regress).extracting(Advisory::getDecision).contains(Decision.ROLLBACK);
        Advisory rollback = regress.stream().filter(a -> a.getDecision() == Decision.ROLLBACK).findFirst().orElseThrow();
        assertThat(rollback.getModelVersion()).isEqualTo("v2");
        assertThat(rollback.getRollbackTo()).isEqualTo("v1");
        assertThat(rollback.getFindings()).anySatisfy(f -> {
            assertThat(f.getMetric()).isIn("wer", "entity_error_rate");
            assertThat(f.getReason()).isEqualTo("regression");
        });
        assertThat(all).noneMatch(a -> "v3".equals(a.getModelVersion())); // shadow traffic is never gated

        List<Advisory> burn = of(all, "tts-burn", AdvisoryKind.BURN_RATE);
        assertThat(burn).anySatisfy(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
            assertThat(a.getSlo()).isEqualTo("tts-availability");
            assertThat(a.getLongBurnRate()).isGreaterThan(14.4);
        });
        assertThat(of(all, "asr-healthy", AdvisoryKind.BURN_RATE)).isEmpty();

        assertThat(first.deadLetters()).hasSize((int) input.stream().filter(Ingested::isDead).count())
                .allSatisfy(d -> assertThat(d.getReason()).isEqualTo("bad_magic_byte"));

        // the same telemetry gives the same advisories, ids included, on the RocksDB state backend too
        org.apache.flink.configuration.Configuration rocksdb = new org.apache.flink.configuration.Configuration();
        rocksdb.set(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND, "rocksdb");
        rocksdb.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTING_INTERVAL, java.time.Duration.ofSeconds(1));
        Pipelines.Run second = Pipelines.run(input, PolicyLoader.bundleDefaults(), rocksdb);
        assertThat(ids(second.advisories())).isEqualTo(ids(all));
    }

    private static List<String> ids(List<Advisory> advisories) {
        return advisories.stream().map(Advisory::getAdvisoryId).sorted().collect(Collectors.toList());
    }
}
