package dev.cutover.rollout;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a phase's alert rules on synthetic traffic in virtual time: for each run, every guard interval draws whisper's
 * and webspeech's failures as Binomial(attempts, rate) and feeds them to the same {@link RuleDetector}s the guard
 * uses, until a ROLLBACK rule fails or the phase's length is over. Attempts arrive at the traffic's steady rate
 * (fractions carried over to the next interval). No sleeping; 1,000 runs of 48 hours take about a second.
 *
 * <p>Only error_rate rules (absolute and relative) and whisper_ready are simulated — the scenario draws errors and
 * readiness; the other rules see nothing and are listed as not simulated.
 *
 * <p>Stateless and thread-safe: each call has its own seeded generator, so the same scenario gives the same figures.
 */
public final class Simulator {

    private Simulator() {
    }

    /** The rules of phase {@code phaseIndex} of {@code plan}. */
    public static SimulationResult simulate(RolloutPlan plan, int phaseIndex, Scenario scenario) {
        return simulate(plan.phase(phaseIndex), scenario);
    }

    public static SimulationResult simulate(Phase phase, Scenario scenario) {
        return simulate(phase.rules(), phase.whisperPercent(), scenario);
    }

    /**
     * @param rules valid alert rules (the detectors refuse invalid ones)
     * @param whisperPercent the phase's percentage (srm's expected split; srm is not simulated)
     */
    public static SimulationResult simulate(List<AlertRule> rules, BigDecimal whisperPercent, Scenario scenario) {
        List<Integer> simulated = new ArrayList<>();
        List<String> notSimulated = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            AlertRule rule = rules.get(i);
            RuleDetector.start(rule, whisperPercent); // refuses an invalid rule before any work
            if (rule.metric() == Metric.ERROR_RATE || rule.metric() == Metric.WHISPER_READY) {
                simulated.add(i);
            } else {
                notSimulated.add(describe(i, rule));
            }
        }
        Duration interval = scenario.guardInterval();
        double minutesPerInterval = interval.toNanos() / 60e9;
        double whisperPerInterval = scenario.traffic().whisperAttemptsPerMinute() * minutesPerInterval;
        double webspeechPerInterval = scenario.traffic().webspeechAttemptsPerMinute() * minutesPerInterval;
        Tally readiness = Tally.readiness(scenario.whisperReady());
        long steps = scenario.steps();
        SplittableRandom root = new SplittableRandom(scenario.seed());

        double[] minutes = new double[scenario.runs()];
        int rolledBack = 0;
        int falseRollbacks = 0;
        int paused = 0;
        int notified = 0;
        int[] byRule = new int[rules.size()];
        for (int run = 0; run < scenario.runs(); run++) {
            SplittableRandom random = root.split();
            Binomial whisperErrors = new Binomial(scenario.errorRates().whisper());
            Binomial webspeechErrors = new Binomial(scenario.errorRates().webspeech());
            RuleDetector[] detectors = new RuleDetector[simulated.size()];
            for (int j = 0; j < detectors.length; j++) {
                detectors[j] = RuleDetector.start(rules.get(simulated.get(j)), whisperPercent);
            }
            double whisperCarry = 0;
            double webspeechCarry = 0;
            boolean runPaused = false;
            boolean runNotified = false;
            int rolledBackBy = -1;
            long step = 1;
            for (; step <= steps && rolledBackBy < 0; step++) {
                whisperCarry += whisperPerInterval;
                long whisperAttempts = (long) whisperCarry;
                whisperCarry -= whisperAttempts;
                webspeechCarry += webspeechPerInterval;
                long webspeechAttempts = (long) webspeechCarry;
                webspeechCarry -= webspeechAttempts;
                Tally whisper = new Tally(whisperErrors.draw(random, whisperAttempts), whisperAttempts);
                Tally webspeech = new Tally(webspeechErrors.draw(random, webspeechAttempts), webspeechAttempts);
                for (int j = 0; j < detectors.length; j++) {
                    RuleDetector detector = detectors[j];
                    boolean ready = detector.rule().metric() == Metric.WHISPER_READY;
                    detector.observe(interval, ready ? readiness : whisper, detector.rule().relative() ? webspeech
                            : Tally.NONE);
                    if (!detector.failing()) {
                        continue;
                    }
                    switch (detector.rule().action()) {
                        case ROLLBACK -> {
                            if (rolledBackBy < 0) {
                                rolledBackBy = simulated.get(j);
                            }
                        }
                        case PAUSE -> runPaused = true;
                        case NOTIFY -> runNotified = true;
                    }
                }
            }
            if (runPaused) {
                paused++;
            }
            if (runNotified) {
                notified++;
            }
            if (rolledBackBy >= 0) {
                minutes[rolledBack++] = (step - 1) * minutesPerInterval;
                byRule[rolledBackBy]++;
                if (withinTolerance(rules.get(rolledBackBy), scenario)) {
                    falseRollbacks++;
                }
            }
        }
        double[] times = Arrays.copyOf(minutes, rolledBack);
        Arrays.sort(times);
        Map<String, Integer> rollbacksByRule = new LinkedHashMap<>();
        for (int i = 0; i < byRule.length; i++) {
            if (byRule[i] > 0) {
                rollbacksByRule.put(describe(i, rules.get(i)), byRule[i]);
            }
        }
        int runs = scenario.runs();
        return new SimulationResult(runs, rolledBack, (double) rolledBack / runs, falseRollbacks,
                (double) falseRollbacks / runs, percentile(times, 0.5), percentile(times, 0.95),
                times.length == 0 ? null : times[times.length - 1], paused, notified, rollbacksByRule, notSimulated);
    }

    /** Whether the scenario's whisper is within what {@code rule} tolerates, so that its rollback is a false one. */
    static boolean withinTolerance(AlertRule rule, Scenario scenario) {
        if (rule.metric() == Metric.WHISPER_READY) {
            return scenario.whisperReady();
        }
        ErrorRates rates = scenario.errorRates();
        double level = rule.relative()
                ? rates.webspeech() + (rule.direction() == Direction.ABOVE ? rule.threshold() : -rule.threshold())
                : rule.threshold();
        // A tiny tolerance: 0.005 + 0.005 is not exactly 0.01 in binary, and "at the threshold" is within it.
        double epsilon = 1e-12;
        return rule.direction() == Direction.ABOVE ? rates.whisper() <= level + epsilon
                : rates.whisper() >= level - epsilon;
    }

    static Double percentile(double[] sorted, double quantile) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    static String describe(int index, AlertRule rule) {
        String what = rule.metric().key() + (rule.latencyMs() == null ? "" : " over " + rule.latencyMs() + "ms");
        String level = rule.relative() ? "webspeech " + (rule.direction() == Direction.ABOVE ? "+ " : "- ")
                + rule.threshold() : String.valueOf(rule.threshold());
        return "rules[" + index + "]: " + what + " " + rule.direction() + " " + level + " -> " + rule.action();
    }
}
