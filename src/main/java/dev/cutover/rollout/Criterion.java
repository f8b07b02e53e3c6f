package dev.cutover.rollout;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;

/**
 * A success criterion: what must be PASS (confidently within) for the phase to advance. Judged by
 * {@link CriterionCheck} over the counts of {@code window} (clipped to the phase by whoever collects them).
 *
 * @param metric what is measured
 * @param latencyMs the latency threshold of {@link Metric#SLOW_SHARE} ("P95 &lt; 2 s" is slow_share over 2000 ms
 *     below 0.05); {@code null} for every other metric
 * @param provider {@code whisper} or {@code webspeech}
 * @param source {@code server} (what the service saw) or {@code client} (what the browser reported)
 * @param comparison a fixed level, or relative to webspeech in the same window
 * @param direction passes when the value is confidently {@code BELOW} or {@code ABOVE} the threshold
 * @param threshold a fraction for proportions (0.01 = 1 %; for a relative comparison the margin in points as a
 *     fraction, 0.005 = 0.5 points); a real-time factor for rtf; a count for exposures and attempts; the p-value
 *     level for srm (passes when the p-value is above it)
 * @param window how far back the counts go (a phase's criteria default to its soak)
 * @param minSamples below this many trials (attempts, lookups, exposures; seconds of audio for rtf) the verdict is
 *     NO_DATA
 *
 * <p>Immutable, hence thread-safe.
 */
public record Criterion(Metric metric, Long latencyMs, String provider, String source, Comparison comparison,
                        Direction direction, double threshold,
                        @JsonSerialize(using = DurationText.Writer.class)
                        @JsonDeserialize(using = DurationText.Reader.class) Duration window,
                        long minSamples) implements Check {
}
