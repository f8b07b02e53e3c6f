package dev.cutover.rollout;

import java.time.Duration;

/** What a success criterion and an alert rule have in common: the measurement and its threshold. */
sealed interface Check permits Criterion, AlertRule {
    Metric metric();

    Long latencyMs();

    String provider();

    String source();

    Comparison comparison();

    Direction direction();

    double threshold();

    Duration window();

    long minSamples();

    default boolean relative() {
        return comparison() == Comparison.RELATIVE_TO_WEBSPEECH;
    }
}
