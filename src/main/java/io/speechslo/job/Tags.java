package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.scorecard.EncodedScorecard;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** Side outputs, in one place. */
final class Tags {

    /** Records that could not be used, with the reason (late ones included). */
    static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** Per-SLO request counts of each service, signal and version over one burn pane, for the burn-rate engine. */
    static final OutputTag<BurnTick> BURN_TICKS =
            new OutputTag<>("burn-ticks", TypeInformation.of(BurnTick.class));

    /**
     * Scorecards of the engines (slice SLIs, SLO status, rollout stages), for the scorecards sink, encoded
     * where they are made (a POJO of the key and the Avro body).
     */
    static final OutputTag<EncodedScorecard> SCORECARDS =
            new OutputTag<>("scorecards", TypeInformation.of(EncodedScorecard.class));

    /**
     * Serving samples as read (optional input), in their envelope (topic, partition, offset), timestamped
     * with their sample time: they have no slice and leave the pre-aggregator at once, for the serving
     * view's own aggregation.
     */
    static final OutputTag<Ingested> SERVING_SAMPLES =
            new OutputTag<>("serving-samples", TypeInformation.of(Ingested.class));

    /**
     * A pool's minute of serving samples ({@link PaneRecord#servingMinute}), from the serving scorecards to
     * slice drift, whose cost monitor reads the precision, GPU utilisation and replica drivers from them.
     */
    static final OutputTag<PaneRecord> SERVING_MINUTES =
            new OutputTag<>("serving-minutes", TypeInformation.of(PaneRecord.class));

    /** Privacy events as read (optional input), in their envelope, timestamped with their event time. */
    static final OutputTag<Ingested> PRIVACY_EVENTS =
            new OutputTag<>("privacy-events", TypeInformation.of(Ingested.class));

    private Tags() {}
}
