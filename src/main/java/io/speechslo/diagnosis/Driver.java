package io.speechslo.diagnosis;

/**
 * The fixed vocabulary of {@code hints[].driver} on advisories: what a change is attributed to. The ids
 * are a contract (README, Diagnosis); a driver is named only when the data supports it.
 */
public enum Driver {
    QUEUE("queue", "requests wait longer before a model takes them"),
    PREPROCESS("preprocess", "audio or text preparation takes longer"),
    MODEL("model", "the model itself takes more time (or GPU time) per request"),
    BATCHING("batching", "requests share the GPU with fewer others: smaller batches"),
    RETRIES("retries", "attempts that were retried or failed, paid for and thrown away"),
    FALLBACK("fallback", "requests answered by a fallback path"),
    TIMEOUTS("timeouts", "requests that ran out of time"),
    REQUEST_MIX("request_mix", "the traffic moved toward cohorts that cost or take more (e.g. a language)"),
    AUDIO_LENGTH("audio_length", "requests carry longer audio"),
    CACHE("cache", "fewer requests are answered from the cache"),
    SHADOW_TRAFFIC("shadow_traffic", "mirrored traffic: costs money, never user-facing"),
    PRECISION("precision", "the serving precision changed (e.g. fp16 to fp32)"),
    POOL("pool", "requests moved between serving pools"),
    AUTOSCALER("autoscaler", "replicas arrive late for the load, or more are kept than it needs (target, warm pool)"),
    GPU_SATURATION("gpu_saturation", "GPUs are idle (paid, unused) or saturated"),
    INPUT_DRIFT("input_drift", "the cohort's audio changed, not the model"),
    LABELS("labels", "labels differ between the compared sides enough to doubt the comparison"),
    /**
     * BURN_RATE pages: a cohort (one or two slice dimensions) holds far more of the SLO's bad requests
     * than of its traffic. The hint's metric names the slice ({@code bad_request_share{region=eu-west-1}}),
     * value is its share of the bad requests, baseline its share of the traffic, share explained the
     * difference.
     */
    SLICE("slice", "the bad requests concentrate in a cohort: a region, device, language or a pair of them");

    private final String id;
    private final String meaning;

    Driver(String id, String meaning) {
        this.id = id;
        this.meaning = meaning;
    }

    /** The name in {@code hints[].driver}. */
    public String id() {
        return id;
    }

    /** What the driver means, for people. */
    public String meaning() {
        return meaning;
    }
}
