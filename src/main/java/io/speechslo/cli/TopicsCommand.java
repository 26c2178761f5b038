package io.speechslo.cli;

import io.speechslo.config.JobConfig;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code topics [--config FILE] [--set KEY=VALUE ...]}: creates the job's four topics where missing
 * (telemetry and dead letters with topics.partitions partitions, advisories with the same), and says
 * which already existed. Replication factor: the broker's default.
 */
final class TopicsCommand {

    private TopicsCommand() {}

    static int run(List<String> argv, PrintStream out) throws Exception {
        JobConfig cfg = Main.jobConfig("topics", argv);
        try (Admin admin = Admin.create(cfg.kafkaClientProperties())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String name : cfg.topics().names()) {
                if (existing.contains(name)) {
                    out.println("exists  " + name);
                } else {
                    missing.add(new NewTopic(name, java.util.Optional.of(cfg.topics().partitions()), java.util.Optional.empty()));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                missing.forEach(t -> out.println("created " + t.name() + " (" + cfg.topics().partitions() + " partitions)"));
            }
        }
        return 0;
    }
}
