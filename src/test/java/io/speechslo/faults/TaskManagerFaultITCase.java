package io.speechslo.faults;

import io.speechslo.testing.FaultStack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TaskManager running the whole job is killed ({@code kill -9} of its PID) while telemetry is
 * being read, and a new one is started: the job restores its last checkpoint, reads again what came
 * after it and aborts what it had written since; the advisories topic ends up as a replay says.
 */
class TaskManagerFaultITCase {

    @Test
    void aKilledTaskManagerIsReplacedAndNoAdvisoryIsLostDuplicatedOrAdded(@TempDir Path dir) throws Exception {
        try (FaultStack stack = FaultStack.start(dir)) {
            String job = stack.submit(FaultStack.JOB_JAR, Optional.empty());
            stack.produce(0, 0.4);
            stack.awaitConsumed(job, Duration.ofMinutes(2));
            long[] killed = new long[1];
            stack.produce(0.4, 1.0, 0.6, () -> {
                killed[0] = stack.flink().killTaskManager();
                stack.flink().startTaskManager();
            });
            assertThat(ProcessHandle.of(killed[0]).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
            stack.flink().awaitRunning(job, Duration.ofMinutes(2));
            stack.awaitConsumed(job, Duration.ofMinutes(2));
            assertThat(stack.flink().restarts(job)).as("the job restarted on the new TaskManager").isPositive();
            stack.drainAndAssertAdvisoriesEqualReplay(job);
        }
    }
}
