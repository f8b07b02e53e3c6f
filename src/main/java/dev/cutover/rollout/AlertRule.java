package dev.cutover.rollout;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;

/**
 * An alert rule: what makes the guard act. Judged each guard run by a {@link RuleDetector}, a sequential method
 * that stays valid however often it looks. The fields read as for a {@link Criterion}, except:
 *
 * @param direction trips when the value is confidently {@code ABOVE} ("error &gt; 1 %") or {@code BELOW} ("cache
 *     hit &lt; 10 %") the threshold; srm trips BELOW its p-value level; whisper_ready is ABOVE
 * @param threshold for whisper_ready, the number of consecutive guard runs without a live instance with a loaded
 *     model that trips it (3); for srm the p-value level (0.001)
 * @param window the span of the live value and interval shown with the verdict, and for a relative rule the span
 *     of webspeech's rate it compares with; the sequential statistic has its own memory
 * @param minSamples below this many trials since the detector started the verdict is NO_DATA and nothing acts
 *     (for a relative rule webspeech needs as many)
 * @param action what a FAIL does
 *
 * <p>Immutable, hence thread-safe.
 */
public record AlertRule(Metric metric, Long latencyMs, String provider, String source, Comparison comparison,
                        Direction direction, double threshold,
                        @JsonSerialize(using = DurationText.Writer.class)
                        @JsonDeserialize(using = DurationText.Reader.class) Duration window,
                        long minSamples, Action action) implements Check {
}
