package io.speechslo.job;

import io.speechslo.config.JobConfig;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaIOTest {

    @Test
    void sinksBatchAndCompressUnlessKafkaPropertiesSaySo() {
        Properties p = KafkaIO.sinkProperties(JobConfig.defaults());

        assertThat(p.getProperty("linger.ms")).isEqualTo("100");
        assertThat(p.getProperty("batch.size")).isEqualTo("262144");
        assertThat(p.getProperty("compression.type")).isEqualTo("lz4");
        assertThat(p.getProperty("transaction.timeout.ms"))
                .isEqualTo(Long.toString(JobConfig.defaults().sink().transactionTimeout().toMillis()));
    }

    @Test
    void kafkaPropertiesWinOverTheSinkDefaults() {
        JobConfig cfg = JobConfig.load(Optional.empty(), List.of(
                "kafka.properties.linger.ms=5", "kafka.properties.compression.type=zstd", "kafka.properties.acks=all"));

        Properties p = KafkaIO.sinkProperties(cfg);

        assertThat(p.getProperty("linger.ms")).isEqualTo("5");
        assertThat(p.getProperty("compression.type")).isEqualTo("zstd");
        assertThat(p.getProperty("acks")).isEqualTo("all");
        assertThat(p.getProperty("batch.size")).isEqualTo("262144");
        assertThat(p.getProperty("bootstrap.servers")).isEqualTo(cfg.kafka().bootstrapServers());
    }
}
