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
            // the job waits for the registry: a source subtask says so, counts the wait, and does not restart
            stack.flink().awaitOperatorMetric(job, "registry_waiting", m -> m[1] == 1, Duration.ofSeconds(45));
            stack.step("the job waits for the registry");
            FaultStack.sleep(Duration.ofNanos(Math.max(0, Duration.ofSeconds(60).toNanos() - (System.nanoTime() - down))));
            stack.flink().awaitOperatorMetric(job, "registry_wait_ms", m -> m[0] > 30_000, Duration.ofSeconds(15));
            assertThat(stack.flink().state(job)).isEqualTo("RUNNING");
            assertThat(stack.flink().restarts(job)).as("no restart for a registry outage").isEqualTo(restartsBefore);
            assertThat(stack.countCommitted(stack.deadLetterTopic())).as("nothing dead-lettered for an outage").isZero();

            stack.registry().start(); // back on the same port, with the same schemas and ids
            stack.step("registry back");
            stack.awaitConsumed(job, Duration.ofMinutes(2));
            stack.flink().awaitOperatorMetric(job, "registry_waiting", m -> m[1] == 0, Duration.ofSeconds(15));
            assertThat(stack.flink().restarts(job)).isEqualTo(restartsBefore);
            assertThat(newId).isPositive();
            stack.drainAndAssertAdvisoriesEqualReplay(job);
        }
    }
}
