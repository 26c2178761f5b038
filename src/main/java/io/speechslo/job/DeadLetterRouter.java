package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.kafka.DeadLetterReason;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.util.EnumMap;
import java.util.Map;

/**
 * Sends dead letters to their side output and passes telemetry on, counting both: records in per
 * signal, and dead letters per reason (metric group {@code dead_letters}, one counter per reason code).
 */
final class DeadLetterRouter extends ProcessFunction<Ingested, Ingested> {

    private transient Counter asrIn;
    private transient Counter ttsIn;
    private transient Map<DeadLetterReason, Counter> deadByReason;
    private transient Counter deadOther;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup g = getRuntimeContext().getMetricGroup();
        asrIn = g.addGroup("records_in").counter("asr");
        ttsIn = g.addGroup("records_in").counter("tts");
        MetricGroup dead = g.addGroup("dead_letters");
        deadByReason = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason r : DeadLetterReason.values()) {
            deadByReason.put(r, dead.counter(r.code()));
        }
        deadOther = dead.counter("other");
    }

    @Override
    public void processElement(Ingested in, Context ctx, Collector<Ingested> out) {
        if (in.isDead()) {
            DeadLetter d = in.dead;
            deadByReason.entrySet().stream().filter(e -> e.getKey().code().equals(d.getReason())).findFirst()
                    .map(Map.Entry::getValue).orElse(deadOther).inc();
            ctx.output(Tags.DEAD_LETTERS, d);
            return;
        }
        (in.asr != null ? asrIn : ttsIn).inc();
        out.collect(in);
    }
}
