package io.speechslo.job;

import io.speechslo.gate.RolloutSettings;

import java.io.Serializable;
import java.time.Duration;

/**
 * The settings the topology itself needs (the rest of the job configuration is about connecting).
 *
 * @param maxOutOfOrderness how far behind the newest telemetry a record may be and still count
 * @param allowedLateness extra wait after a pane ends before it is closed and evaluated
 * @param idleSourceTimeout a source split without records for this long stops holding the watermark back
 * @param rollout when the release gate evaluates
 * @param maxValuesPerDimension distinct values kept per slice dimension and service; the rest fold into "other"
 * @param cardinalityExpiry a dimension value unseen this long (event time) frees its place for a new one
 */
public record TopologySettings(
        Duration maxOutOfOrderness,
        Duration allowedLateness,
        Duration idleSourceTimeout,
        RolloutSettings rollout,
        int maxValuesPerDimension,
        Duration cardinalityExpiry) implements Serializable {

    public static final TopologySettings DEFAULT = from(io.speechslo.config.JobConfig.defaults());

    public static TopologySettings from(io.speechslo.config.JobConfig cfg) {
        return new TopologySettings(cfg.eventTime().maxOutOfOrderness(), cfg.eventTime().allowedLateness(),
                cfg.eventTime().idleSourceTimeout(), cfg.gate(), cfg.cardinality().maxValuesPerDimension(),
                cfg.cardinality().expiry());
    }
}
