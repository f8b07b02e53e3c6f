package dev.cutover.rollout;

/**
 * An alert rule judged at one guard run. Immutable.
 *
 * <p>Proportion rules: {@code value} is the rate over about the rule's window (exponentially weighted), with its
 * 95 % Wilson interval — for a relative rule whisper's rate minus webspeech's, Newcombe's interval, and the margin
 * as {@code threshold} (negated for a BELOW rule); {@code statistic} is the CUSUM and {@code alarmLevel} its h. The
 * interval is what an engineer reads; the verdict is the statistic's (FAIL at {@code statistic >= alarmLevel}),
 * because a fixed interval looked at every 15 s would fire on noise. whisper_ready: value and statistic are the
 * consecutive runs without a live instance with a loaded model, the alarm level the rule's threshold. srm: value is
 * the p-value (bounds equal to it), statistic the χ² and alarm level the χ² at the threshold p-value.
 *
 * @param samples trials since the detector started, what the rule's minimum samples is compared with
 */
public record RuleVerdict(Verdict verdict, double value, double lower, double upper, double threshold, long samples,
                          double statistic, double alarmLevel) {
}
