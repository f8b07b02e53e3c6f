package dev.cutover.rollout;

import static dev.cutover.signals.SignalKey.CLIENT;
import static dev.cutover.signals.SignalKey.SERVER;
import static dev.cutover.signals.SignalKey.WHISPER;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The migration runbook's plan (issue 8 item 2). User-facing signals (errors, latency) are the browser's
 * ({@code client}: it sees fallbacks and the network too, and it is the only source webspeech has); cache and
 * real-time factor are the service's ({@code server}).
 */
final class DefaultPlan {
    static final Duration RULE_WINDOW = Duration.ofMinutes(5);
    /** Webspeech's rate for "worse than webspeech" is taken over an hour: over 5 minutes it is too noisy. */
    static final Duration RELATIVE_WINDOW = Duration.ofHours(1);
    static final long RULE_MIN_SAMPLES = 50;
    static final long CRITERION_MIN_SAMPLES = 500;
    static final long DEVELOPER_MIN_SAMPLES = 50;

    static final RolloutPlan PLAN = new RolloutPlan(List.of(
            new Phase("baseline", percent("0"), Duration.ofHours(24), false, List.of(), List.of()),
            new Phase("developer-testing", percent("0"), Duration.ofHours(48), false,
                    criteria(Duration.ofHours(48), DEVELOPER_MIN_SAMPLES, 60, 0.30, true, false,
                            count(Metric.ATTEMPTS, 50, Duration.ofHours(48))),
                    rules(false, true)),
            phase("canary", "10", Duration.ofHours(24)),
            phase("25", "25", Duration.ofHours(48)),
            phase("50", "50", Duration.ofHours(48)),
            phase("75", "75", Duration.ofHours(72)),
            // At 100 % webspeech has no split traffic left: nothing to compare with, no ratio to check.
            new Phase("full", percent("100"), Duration.ofDays(7), true,
                    criteria(Duration.ofDays(7), CRITERION_MIN_SAMPLES, 600, 0.10, false, false,
                            count(Metric.EXPOSURES, 500, Duration.ofDays(7))),
                    rules(false, false))),
            false);

    private DefaultPlan() {
    }

    private static Phase phase(String name, String percent, Duration soak) {
        return new Phase(name, percent(percent), soak, false,
                criteria(soak, CRITERION_MIN_SAMPLES, 600, 0.10, true, true, count(Metric.EXPOSURES, 500, soak)),
                rules(true, true));
    }

    private static List<Criterion> criteria(Duration window, long minSamples, long minAudioSeconds,
                                            double cacheHitAbove, boolean relative, boolean split,
                                            Criterion minimum) {
        List<Criterion> out = new ArrayList<>(List.of(
                new Criterion(Metric.ERROR_RATE, null, WHISPER, CLIENT, Comparison.ABSOLUTE, Direction.BELOW, 0.01,
                        window, minSamples)));
        if (relative) {
            out.add(new Criterion(Metric.ERROR_RATE, null, WHISPER, CLIENT, Comparison.RELATIVE_TO_WEBSPEECH,
                    Direction.BELOW, 0.005, window, minSamples));
        }
        out.add(new Criterion(Metric.SLOW_SHARE, 2_000L, WHISPER, CLIENT, Comparison.ABSOLUTE, Direction.BELOW, 0.05,
                window, minSamples));
        out.add(new Criterion(Metric.RTF, null, WHISPER, SERVER, Comparison.ABSOLUTE, Direction.BELOW, 0.1, window,
                minAudioSeconds));
        out.add(new Criterion(Metric.CACHE_HIT_RATE, null, WHISPER, SERVER, Comparison.ABSOLUTE, Direction.ABOVE,
                cacheHitAbove, window, minSamples));
        out.add(minimum);
        if (split) {
            out.add(new Criterion(Metric.SRM, null, WHISPER, CLIENT, Comparison.ABSOLUTE, Direction.ABOVE, 0.001,
                    window, 1_000));
        }
        return List.copyOf(out);
    }

    private static Criterion count(Metric metric, long atLeast, Duration window) {
        return new Criterion(metric, null, WHISPER, CLIENT, Comparison.ABSOLUTE, Direction.ABOVE, atLeast, window, 0);
    }

    private static List<AlertRule> rules(boolean split, boolean relative) {
        List<AlertRule> out = new ArrayList<>();
        out.add(new AlertRule(Metric.ERROR_RATE, null, WHISPER, CLIENT, Comparison.ABSOLUTE, Direction.ABOVE, 0.01,
                RULE_WINDOW, RULE_MIN_SAMPLES, Action.ROLLBACK));
        if (relative) {
            out.add(new AlertRule(Metric.ERROR_RATE, null, WHISPER, CLIENT, Comparison.RELATIVE_TO_WEBSPEECH,
                    Direction.ABOVE, 0.005, RELATIVE_WINDOW, RULE_MIN_SAMPLES, Action.ROLLBACK));
        }
        out.add(new AlertRule(Metric.SLOW_SHARE, 5_000L, WHISPER, CLIENT, Comparison.ABSOLUTE, Direction.ABOVE, 0.05,
                RULE_WINDOW, RULE_MIN_SAMPLES, Action.PAUSE));
        out.add(new AlertRule(Metric.WHISPER_READY, null, WHISPER, SERVER, Comparison.ABSOLUTE, Direction.ABOVE, 3,
                Duration.ofMinutes(1), 0, Action.ROLLBACK));
        out.add(new AlertRule(Metric.CACHE_HIT_RATE, null, WHISPER, SERVER, Comparison.ABSOLUTE, Direction.BELOW, 0.10,
                Duration.ofHours(1), 200, Action.NOTIFY));
        if (split) {
            out.add(new AlertRule(Metric.SRM, null, WHISPER, CLIENT, Comparison.ABSOLUTE, Direction.BELOW, 0.001,
                    Duration.ofHours(1), 1_000, Action.NOTIFY));
        }
        return List.copyOf(out);
    }

    private static BigDecimal percent(String value) {
        return new BigDecimal(value);
    }
}
