package dev.cutover.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Arrays;

/**
 * Which side of the threshold a check is about, read as the plan is written: a success criterion passes when the
 * value is confidently {@code BELOW} ("error &lt; 1 %") or {@code ABOVE} ("cache hit &gt; 30 %") its threshold; an
 * alert rule trips when the value is confidently {@code ABOVE} ("error &gt; 1 %") or {@code BELOW} ("cache hit &lt;
 * 10 %") its threshold. An unknown name reads as {@code null} for validation to report.
 */
public enum Direction {
    BELOW, ABOVE;

    @JsonCreator
    static Direction fromName(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }
}
