package dev.cutover.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Arrays;

/**
 * What a proportion is compared with: a fixed level ({@code ABSOLUTE}, the threshold is the level, e.g. 0.01), or
 * webspeech's value in the same window ({@code RELATIVE_TO_WEBSPEECH}, the threshold is a margin in points as a
 * fraction: 0.005 is "webspeech + 0.5 points"). An unknown name reads as {@code null} for validation to report.
 */
public enum Comparison {
    ABSOLUTE, RELATIVE_TO_WEBSPEECH;

    @JsonCreator
    static Comparison fromName(String name) {
        return Arrays.stream(values()).filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }
}
