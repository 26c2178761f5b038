package io.speechslo.faults;

import io.speechslo.testing.FaultStack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka broker is killed ({@code kill -9} of its PID) while the job reads and writes through it,
 * and restarted on the same log directories and port: open transactions are aborted or committed as
 * the job's checkpoints say, and the advisories topic ends up as a replay says.
 */
class BrokerFaultITCase {

    @Test
    void aKilledAndRestartedBrokerLosesAndDuplicatesNoAdvisory(@TempDir Path dir) throws Exception {
        try (FaultStack stack = FaultStack.start(dir)) {
            String job = stack.submit(FaultStack.JOB_JAR, Optional.empty());
            stack.produce(0, 0.4);
            stack.awaitConsumed(job, Duration.ofMinutes(2));
            String servers = stack.kafka().bootstrapServers();
            stack.produce(0.4, 1.0, 0.6, () -> {
                stack.kafka().kill();
                FaultStack.sleep(Duration.ofSeconds(3));
                stack.kafka().restart();
            });
            assertThat(stack.kafka().bootstrapServers()).isEqualTo(servers);
            stack.flink().awaitRunning(job, Duration.ofMinutes(3));
            stack.awaitConsumed(job, Duration.ofMinutes(3));
            stack.drainAndAssertAdvisoriesEqualReplay(job);
        }
    }
}
