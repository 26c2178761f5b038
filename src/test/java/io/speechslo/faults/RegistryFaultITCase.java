package io.speechslo.faults;

import io.speechslo.testing.FaultStack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema registry is unreachable for a minute while ASR telemetry arrives written with a new,
 * compatible schema version (registered just before the outage, so the job has never looked its id up):
 * the job holds those records back and waits (counted in {@code registry_wait_ms}) instead of
 * dead-lettering them or restarting in a loop, and reads them once the registry is back, which it is
 * with the same ids (its state file).
 */
class RegistryFaultITCase {

    @Test
    void recordsWithANewSchemaIdWaitOutARegistryOutage(@TempDir Path dir) throws Exception {
        try (FaultStack stack = FaultStack.start(dir)) {
            String job = stack.submit(FaultStack.JOB_JAR, Optional.empty());
            stack.produce(0, 0.4);
            stack.awaitConsumed(job, Duration.ofMinutes(2));
            long restartsBefore = stack.flink().restarts(job);

            int newId = stack.switchAsrToNewSchemaVersion();
            stack.registry().close();
            long down = System.nanoTime();
            stack.produce(0.4, 1.0);
            // the job waits for the registry: a source subtask reports it, and it does not restart
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (stack.flink().operatorMetric(job, "registry_waiting").map(m -> m[1]).orElse(0.0) < 1
                    && System.nanoTime() < deadline) {
                FaultStack.sleep(Duration.ofMillis(500));
            }
            assertThat(stack.flink().operatorMetric(job, "registry_waiting")).as("a source subtask waits for the registry")
                    .hasValueSatisfying(m -> assertThat(m[1]).isEqualTo(1.0));
            FaultStack.sleep(Duration.ofNanos(Math.max(0, Duration.ofSeconds(60).toNanos() - (System.nanoTime() - down))));
            assertThat(stack.flink().state(job)).isEqualTo("RUNNING");
            assertThat(stack.flink().restarts(job)).as("no restart for a registry outage").isEqualTo(restartsBefore);
            assertThat(stack.flink().operatorMetric(job, "registry_wait_ms")).as("the wait is counted")
                    .hasValueSatisfying(m -> assertThat(m[0]).isGreaterThan(30_000));

            stack.registry().start(); // back on the same port, with the same schemas and ids
            stack.awaitConsumed(job, Duration.ofMinutes(2));
            assertThat(stack.flink().operatorMetric(job, "registry_waiting")).hasValueSatisfying(m -> assertThat(m[1]).isZero());
            assertThat(stack.flink().restarts(job)).isEqualTo(restartsBefore);
            assertThat(newId).isPositive();
            stack.drainAndAssertAdvisoriesEqualReplay(job);
        }
    }
}
