package dev.cutover.rollout;

import static dev.cutover.flags.FlagAdminService.shortForm;

import dev.cutover.signals.SignalKey;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a plan whole and lists every problem, each prefixed with the JSON path of what is wrong
 * ({@code phases[2].rules[0].threshold: ...}), so that a PUT can answer 400 with all of them at once. Stateless and
 * thread-safe.
 *
 * <p>Checked: at least one phase; unique non-blank names; percentages 0–100 with at most two decimals and never
 * decreasing; soak ≥ 0; every criterion and rule has a known metric allowed where it is, a known provider and
 * source, a comparison and direction that make sense for the metric, a threshold in range, a window of at least
 * 10 s, minimum samples ≥ 0, and (rules) an action.
 */
public final class PlanValidation {
    /** Shorter windows hold too few attempts to mean anything and are below the signal windows' 10 s. */
    public static final Duration MIN_WINDOW = Duration.ofSeconds(10);
    static final long MAX_LATENCY_MS = 3_600_000;
    static final double MAX_RTF = 100;
    static final int MAX_CONSECUTIVE_RUNS = 10_000;

    private PlanValidation() {
    }

    /** Every problem of {@code plan}; empty when it may be saved. */
    public static List<String> problems(RolloutPlan plan) {
        List<String> problems = new ArrayList<>();
        if (plan == null) {
            problems.add("plan: missing");
            return problems;
        }
        if (plan.phases() == null || plan.phases().isEmpty()) {
            problems.add("phases: at least one phase is required");
            return problems;
        }
        Set<String> names = new HashSet<>();
        BigDecimal previous = null;
        for (int i = 0; i < plan.phases().size(); i++) {
            Phase phase = plan.phases().get(i);
            String at = "phases[" + i + "]";
            if (phase == null) {
                problems.add(at + ": missing");
                continue;
            }
            phaseProblems(phase, at, problems);
            if (phase.name() != null && !phase.name().isBlank() && !names.add(phase.name())) {
                problems.add(at + ".name: '" + phase.name() + "' is used by an earlier phase; names must be unique");
            }
            BigDecimal percent = phase.whisperPercent();
            if (percent != null && previous != null && percent.compareTo(previous) < 0) {
                problems.add(at + ".whisperPercent: " + shortForm(percent) + " is below the previous phase's "
                        + shortForm(previous) + "; percentages must not decrease (roll back instead)");
            }
            if (percent != null) {
                previous = percent;
            }
        }
        return problems;
    }

    /** The problems of one rule alone (as {@code rule.…}); what a detector refuses to start with. */
    static List<String> ruleProblems(AlertRule rule) {
        List<String> problems = new ArrayList<>();
        checkProblems(rule, "rule", false, problems);
        return problems;
    }

    /** The problems of one criterion alone (as {@code criterion.…}). */
    static List<String> criterionProblems(Criterion criterion) {
        List<String> problems = new ArrayList<>();
        checkProblems(criterion, "criterion", true, problems);
        return problems;
    }

    private static void phaseProblems(Phase phase, String at, List<String> problems) {
        if (phase.name() == null || phase.name().isBlank()) {
            problems.add(at + ".name: missing");
        }
        BigDecimal percent = phase.whisperPercent();
        if (percent == null) {
            problems.add(at + ".whisperPercent: missing");
        } else if (percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
            problems.add(at + ".whisperPercent: " + shortForm(percent) + " is outside 0 to 100");
        } else if (percent.signum() != 0 && percent.stripTrailingZeros().scale() > 2) {
            // Any value from 0 to 100 other than 0 strips to a scale of -2 or more, so this is cheap here.
            problems.add(at + ".whisperPercent: " + shortForm(percent)
                    + " has more than two decimals (sessions are bucketed in hundredths of a percent)");
        }
        if (phase.minimumSoak() == null) {
            problems.add(at + ".minimumSoak: missing");
        } else if (phase.minimumSoak().isNegative()) {
            problems.add(at + ".minimumSoak: " + DurationText.format(phase.minimumSoak()) + " is negative");
        }
        if (phase.criteria() == null) {
            problems.add(at + ".criteria: missing (use [] for none)");
        } else {
            for (int j = 0; j < phase.criteria().size(); j++) {
                Criterion c = phase.criteria().get(j);
                String cat = at + ".criteria[" + j + "]";
                if (c == null) {
                    problems.add(cat + ": missing");
                } else {
                    checkProblems(c, cat, true, problems);
                }
            }
        }
        if (phase.rules() == null) {
            problems.add(at + ".rules: missing (use [] for none)");
        } else {
            for (int j = 0; j < phase.rules().size(); j++) {
                AlertRule r = phase.rules().get(j);
                String rat = at + ".rules[" + j + "]";
                if (r == null) {
                    problems.add(rat + ": missing");
                } else {
                    checkProblems(r, rat, false, problems);
                }
            }
        }
    }

    private static void checkProblems(Check check, String at, boolean criterion, List<String> problems) {
        Metric metric = check.metric();
        if (metric == null) {
            problems.add(at + ".metric: missing or unknown; one of " + String.join(", ", Metric.keys()));
        } else if (criterion && !metric.allowedInCriteria()) {
            problems.add(at + ".metric: " + metric.key() + " is for alert rules, not success criteria");
        } else if (!criterion && !metric.allowedInRules()) {
            problems.add(at + ".metric: " + metric.key() + " is for success criteria, not alert rules");
        }
        if (check.provider() == null || !SignalKey.PROVIDERS.contains(check.provider())) {
            problems.add(at + ".provider: " + quoted(check.provider()) + "; one of " + SignalKey.PROVIDERS);
        }
        if (check.source() == null || !SignalKey.SOURCES.contains(check.source())) {
            problems.add(at + ".source: " + quoted(check.source()) + "; one of " + SignalKey.SOURCES);
        }
        if (check.comparison() == null) {
            problems.add(at + ".comparison: missing or unknown; ABSOLUTE or RELATIVE_TO_WEBSPEECH");
        }
        if (check.direction() == null) {
            problems.add(at + ".direction: missing or unknown; BELOW or ABOVE");
        }
        if (check.window() == null) {
            problems.add(at + ".window: missing");
        } else if (check.window().compareTo(MIN_WINDOW) < 0) {
            problems.add(at + ".window: " + DurationText.format(check.window()) + " is shorter than 10s");
        }
        if (check.minSamples() < 0) {
            problems.add(at + ".minSamples: " + check.minSamples() + " is negative");
        }
        if (check instanceof AlertRule rule && rule.action() == null) {
            problems.add(at + ".action: missing or unknown; NOTIFY, PAUSE or ROLLBACK");
        }
        if (metric != null) {
            metricProblems(check, metric, at, criterion, problems);
        }
    }

    private static void metricProblems(Check check, Metric metric, String at, boolean criterion,
                                       List<String> problems) {
        double t = check.threshold();
        if (metric == Metric.SLOW_SHARE) {
            if (check.latencyMs() == null || check.latencyMs() <= 0 || check.latencyMs() > MAX_LATENCY_MS) {
                problems.add(at + ".latencyMs: " + check.latencyMs() + "; slow_share needs a latency threshold in ms, "
                        + "1 to " + MAX_LATENCY_MS + " (\"P95 < 2 s\" is slow_share over 2000 ms below 0.05)");
            }
        } else if (check.latencyMs() != null) {
            problems.add(at + ".latencyMs: only slow_share has a latency threshold; leave it out for " + metric.key());
        }
        if (check.relative()) {
            if (!metric.isProportion()) {
                problems.add(at + ".comparison: " + metric.key() + " can only be ABSOLUTE");
            }
            if (!SignalKey.WHISPER.equals(check.provider())) {
                problems.add(at + ".provider: a comparison with webspeech is about whisper");
            }
            if (!SignalKey.CLIENT.equals(check.source())) {
                problems.add(at + ".source: a comparison with webspeech needs client, the only source webspeech has");
            }
            if (!(t > -1 && t < 1)) {
                problems.add(at + ".threshold: " + t + " is not a margin between -1 and 1 (0.005 is 0.5 points)");
            }
            return;
        }
        switch (metric.kind()) {
            case PROPORTION -> {
                if (!(t > 0 && t < 1)) {
                    problems.add(at + ".threshold: " + t + " must be a fraction strictly between 0 and 1 (0.01 is 1 %)");
                }
            }
            case MEAN -> {
                if (!(t > 0 && t <= MAX_RTF)) {
                    problems.add(at + ".threshold: " + t + " must be a real-time factor above 0 and at most " + MAX_RTF);
                }
            }
            case COUNT -> {
                if (!(t >= 0 && t == Math.rint(t) && t <= Long.MAX_VALUE)) {
                    problems.add(at + ".threshold: " + t + " must be a whole count ≥ 0");
                }
                if (check.direction() == Direction.BELOW) {
                    problems.add(at + ".direction: " + metric.key() + " is a minimum; use ABOVE");
                }
            }
            case SAMPLE_RATIO -> {
                if (!(t > 0 && t <= 0.5)) {
                    problems.add(at + ".threshold: " + t + " must be a p-value level above 0 and at most 0.5 (0.001)");
                }
                Direction expected = criterion ? Direction.ABOVE : Direction.BELOW;
                if (check.direction() != null && check.direction() != expected) {
                    problems.add(at + ".direction: srm " + (criterion ? "passes when the p-value is ABOVE"
                            : "trips when the p-value is BELOW") + " its level; use " + expected);
                }
            }
            case CONSECUTIVE -> {
                if (!(t >= 1 && t == Math.rint(t) && t <= MAX_CONSECUTIVE_RUNS)) {
                    problems.add(at + ".threshold: " + t + " must be a whole number of consecutive guard runs, 1 to "
                            + MAX_CONSECUTIVE_RUNS);
                }
                if (check.direction() == Direction.BELOW) {
                    problems.add(at + ".direction: whisper_ready trips at that many runs; use ABOVE");
                }
            }
        }
    }

    private static String quoted(String value) {
        return value == null ? "missing" : "'" + value + "' is unknown";
    }
}
