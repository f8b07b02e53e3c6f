package dev.cutover.rollout;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One phase of the rollout plan.
 *
 * @param name unique in the plan, e.g. {@code canary}
 * @param whisperPercent the share of sessions on whisper, 0 to 100 with at most two decimals (the flag's buckets)
 * @param minimumSoak how long the phase must run before it may advance
 * @param manual whether only an engineer may leave it (autopilot never advances past it)
 * @param criteria what must all be PASS to advance
 * @param rules what the guard watches while the phase runs
 *
 * <p>Immutable (the lists are copies), hence thread-safe.
 */
public record Phase(String name, BigDecimal whisperPercent,
                    @JsonSerialize(using = DurationText.Writer.class)
                    @JsonDeserialize(using = DurationText.Reader.class) Duration minimumSoak,
                    boolean manual, List<Criterion> criteria, List<AlertRule> rules) {

    public Phase {
        // Copied but not checked: a plan read from JSON may be wrong anywhere, and validation lists it all.
        criteria = criteria == null ? null : Collections.unmodifiableList(new ArrayList<>(criteria));
        rules = rules == null ? null : Collections.unmodifiableList(new ArrayList<>(rules));
    }
}
