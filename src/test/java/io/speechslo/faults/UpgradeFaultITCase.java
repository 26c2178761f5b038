package io.speechslo.faults;

import io.speechslo.testing.FaultStack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade as operators do it: stop-with-savepoint while telemetry is being read, telemetry keeps
 * arriving while the job is down, and the job is submitted again from that savepoint with another jar
 * file (a copy of the thin job jar, standing in for a rebuilt one: a real rebuild takes minutes). The
 * restored job carries on from the savepoint's state and offsets; the advisories topic ends up as a
 * replay says, so no state was forgotten and nothing was read twice.
 */
class UpgradeFaultITCase {

    @Test
    void stopWithSavepointAndResumeOnARebuiltJarLosesAndDuplicatesNoAdvisory(@TempDir Path dir) throws Exception {
        try (FaultStack stack = FaultStack.start(dir)) {
            String job = stack.submit(FaultStack.JOB_JAR, Optional.empty());
            stack.produce(0, 0.4);
            stack.awaitConsumed(job, Duration.ofMinutes(2));
            stack.produce(0.4, 0.6);
            String savepoint = stack.flink().stopWithSavepoint(job, false);
            assertThat(savepoint).isNotBlank();
            stack.produce(0.6, 1.0); // while the job is down

            Path rebuilt = dir.resolve("speech-slo-advisor-job-rebuilt.jar");
            Files.copy(FaultStack.JOB_JAR, rebuilt);
            String resumed = stack.submit(rebuilt, Optional.of(savepoint));
            assertThat(stack.flink().restoredFrom(resumed)).contains(savepoint);
            stack.awaitConsumed(resumed, Duration.ofMinutes(2));
            stack.drainAndAssertAdvisoriesEqualReplay(resumed);
        }
    }
}
