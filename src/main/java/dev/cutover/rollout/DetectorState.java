package dev.cutover.rollout;

/**
 * What a {@link RuleDetector} carries from one guard run to the next: a few numbers, persisted by the guard (as
 * JSON) so that a restart or another instance continues where it stopped. Immutable.
 *
 * @param statistic the CUSUM statistic (proportions), the consecutive runs without whisper ready (whisper_ready), or
 *     the sample-ratio χ² (srm, capped at the largest double so the JSON stays plain numbers)
 * @param samples trials since the detector started (attempts, lookups, guard runs, split exposures of both providers)
 * @param events events among them (failures, hits, whisper's split exposures)
 * @param baselineSamples webspeech's trials since the start (relative rules; srm: webspeech's split exposures)
 * @param baselineEvents webspeech's events since the start (relative rules)
 * @param windowTrials trials, exponentially weighted over the rule's window (the live value's denominator)
 * @param windowEvents events, weighted alike
 * @param baselineWindowTrials webspeech's trials, weighted alike (relative rules)
 * @param baselineWindowEvents webspeech's events, weighted alike (relative rules)
 */
public record DetectorState(double statistic, long samples, long events, long baselineSamples, long baselineEvents,
                            double windowTrials, double windowEvents, double baselineWindowTrials,
                            double baselineWindowEvents) {

    public DetectorState {
        if (!(statistic >= 0 && Double.isFinite(statistic)) || samples < 0 || events < 0 || events > samples
                || baselineSamples < 0 || baselineEvents < 0 || baselineEvents > baselineSamples
                || !nonNegative(windowTrials) || !nonNegative(windowEvents) || !nonNegative(baselineWindowTrials)
                || !nonNegative(baselineWindowEvents)) {
            throw new IllegalArgumentException("not a detector state: " + statistic + ", " + samples + ", " + events
                    + ", " + baselineSamples + ", " + baselineEvents + ", " + windowTrials + ", " + windowEvents
                    + ", " + baselineWindowTrials + ", " + baselineWindowEvents);
        }
    }

    private static boolean nonNegative(double value) {
        return value >= 0 && Double.isFinite(value);
    }
}
