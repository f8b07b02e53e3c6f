package dev.cutover.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/**
 * What a success criterion or an alert rule measures, written in JSON in lower_snake case as in the plan
 * ({@code "error_rate"}). An unknown name reads as {@code null}, so that plan validation can list it with every
 * other problem instead of the parser stopping at the first.
 *
 * <p>Proportions (judged with intervals, and by the sequential detector in alert rules), each counted by
 * {@link Tally#of}: {@link #ERROR_RATE} failures / attempts, {@link #SLOW_SHARE} attempts slower than the
 * criterion's {@code latencyMs} / attempts ("P95 &lt; 2 s" is "slow_share over 2000 ms below 5 %"),
 * {@link #FALLBACK_RATE} fallbacks / attempts, {@link #CACHE_HIT_RATE} hits / lookups. The others:
 * {@link #RTF} engine time / audio time (criteria only), {@link #WHISPER_READY} whether a live instance has a
 * loaded model (rules only), {@link #SRM} the sample-ratio check of split exposures, and the minimum counts
 * {@link #EXPOSURES} and {@link #ATTEMPTS} (criteria only).
 */
public enum Metric {
    ERROR_RATE("error_rate", Kind.PROPORTION),
    SLOW_SHARE("slow_share", Kind.PROPORTION),
    FALLBACK_RATE("fallback_rate", Kind.PROPORTION),
    CACHE_HIT_RATE("cache_hit_rate", Kind.PROPORTION),
    RTF("rtf", Kind.MEAN),
    WHISPER_READY("whisper_ready", Kind.CONSECUTIVE),
    SRM("srm", Kind.SAMPLE_RATIO),
    EXPOSURES("exposures", Kind.COUNT),
    ATTEMPTS("attempts", Kind.COUNT);

    /** How a metric is judged; decides which checks and which detector apply. */
    enum Kind { PROPORTION, MEAN, CONSECUTIVE, SAMPLE_RATIO, COUNT }

    private final String key;
    private final Kind kind;

    Metric(String key, Kind kind) {
        this.key = key;
        this.kind = kind;
    }

    /** The JSON name, e.g. {@code error_rate}. */
    @JsonValue
    public String key() {
        return key;
    }

    Kind kind() {
        return kind;
    }

    /** Whether the metric is a proportion of events over trials (and so may be compared with webspeech). */
    public boolean isProportion() {
        return kind == Kind.PROPORTION;
    }

    /** Whether an alert rule may use it: proportions, whisper_ready and srm. */
    public boolean allowedInRules() {
        return kind == Kind.PROPORTION || kind == Kind.CONSECUTIVE || kind == Kind.SAMPLE_RATIO;
    }

    /** Whether a success criterion may use it: everything but whisper_ready. */
    public boolean allowedInCriteria() {
        return kind != Kind.CONSECUTIVE;
    }

    /** The metric named {@code key} exactly, or {@code null} when there is none (validation reports it). */
    @JsonCreator
    public static Metric fromKey(String key) {
        return Arrays.stream(values()).filter(m -> m.key.equals(key)).findFirst().orElse(null);
    }

    /** Every JSON name, for messages. */
    public static List<String> keys() {
        return Arrays.stream(values()).map(Metric::key).toList();
    }
}
