package dev.cutover.rollout;

import dev.cutover.signals.Statistics;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/**
 * The sequential judge of one alert rule: fed at every guard run with the counts since the previous run, it answers
 * with a {@link RuleVerdict} that stays valid however often it is asked, and hands over its {@link DetectorState}
 * to be persisted. The same class runs in the guard, the simulator endpoint and the simulation test.
 *
 * <h2>Proportion rules: a Bernoulli CUSUM with a head start</h2>
 * A rule "rate ABOVE p0" is Page's CUSUM of the log-likelihood ratio of an unacceptable rate p1 against the
 * acceptable p0, on the stream of trials: each bad event adds ln(p1/p0), each good trial adds ln((1−p1)/(1−p0)) &lt; 0,
 * the sum is floored at 0 after each guard run (the binomial CUSUM: a run's counts are one step), and the rule
 * FAILs once the sum reaches h. p1 has five times p0's odds (1 % → 4.8 %), h = 13, and the detector starts at a head
 * start of 7.5 (fast initial response): a whisper broken from the start of a phase is caught within 5.5 of climb,
 * while a healthy one drifts down to 0 in minutes and from then on needs the full 13. A BELOW rule ("cache hit &lt;
 * 10 %") watches the complement (misses ABOVE 90 %).
 *
 * <p>What "error &gt; 1 %" means: p0 = 1 % is the boundary of what is tolerated, so at exactly 1 % an alarm is a false
 * rollback, like one at 0.5 %. Simulated at exactly 1 %, about 0.4 % of 48-hour phases roll back (5 and 20 attempts a
 * minute; 0.5 % at 200), at 0.5 % practically none (1 in 5,000 at 5 a minute). The price is resolution: at 20
 * attempts a minute 5 % is caught in about 6 minutes (median) and 17 (95th percentile) from the start of a phase,
 * and in about 14 and 29 when it breaks after hours of health; 3 % in about 20 minutes; 2 % in hours (99 % of
 * 48-hour phases); 1.5 % in 20 % of phases.
 * More traffic sharpens it (at 200 a minute 2 % is caught in about 50 minutes). Relative rules take p0 = webspeech's
 * rate over the rule's window — its 95 % Wilson upper bound, so webspeech's own noise cannot trip the rule — plus
 * the margin, anew at each run; until webspeech has the minimum samples the run is not judged. That makes them
 * cautious (whisper 2.5 % against webspeech 1 % is caught in a quarter of 48-hour phases, 3.5 % in all), which is
 * acceptable next to the absolute rule that catches anything above 1 % first.
 *
 * <p>References: E. S. Page, "Continuous inspection schemes", Biometrika 41 (1954) 100–115; M. R. Reynolds Jr. and
 * Z. G. Stoumbos, "A CUSUM chart for monitoring a proportion when inspecting continuously", Journal of Quality
 * Technology 31 (1999) 87–108; F. F. Gan, "An optimal design of CUSUM control charts for binomial counts", Journal of
 * Applied Statistics 20 (1993) 445–460; J. M. Lucas and R. B. Crosier, "Fast initial response for CUSUM
 * quality-control schemes: give your CUSUM a head start", Technometrics 24 (1982) 199–205. CUSUM is optimal for a
 * given false-alarm rate (G. V. Moustakides, Annals of Statistics 14 (1986) 1379–1387), which is also why "no
 * false rollback at exactly 1 % over 48 h" and "5 % caught in 10 minutes" cannot both hold for a break that starts
 * late in a phase (G. Lorden, Annals of Mathematical Statistics 42 (1971) 1897–1908): the head start spends the
 * false-alarm budget where breaks are most likely, at the start of a phase.
 *
 * <h2>Other rules</h2>
 * whisper_ready FAILs after {@code threshold} consecutive runs (3) with no live instance with a loaded model. srm
 * accumulates split exposures over the phase and FAILs while Pearson's p-value is below the threshold (0.001) with at
 * least the minimum exposures; it holds and notifies, never rolls back, so the mild inflation of a repeated
 * fixed-sample test is accepted there.
 *
 * <p>Not thread-safe: one guard run at a time feeds a detector. Create one per rule when a phase starts (or the
 * rollout resumes); restore one from its persisted state with {@link #resume}.
 */
public final class RuleDetector {
    /** z for a two-sided 95 % interval, as {@code Statistics.wilson(x, n, 0.95)} computes it. */
    static final double Z95 = 1.959963984540054;
    private static final double CONFIDENCE = 0.95;
    private static final ChiSquaredDistribution CHI_SQUARED_1 = ChiSquaredDistribution.of(1);

    private final AlertRule rule;
    private final double whisperShare;
    private final boolean above;
    private final double absoluteP0;
    private final double absolutePerBad;
    private final double absolutePerGood;
    private final double srmAlarmLevel;

    private double statistic;
    private long samples;
    private long events;
    private long baselineSamples;
    private long baselineEvents;
    private double windowTrials;
    private double windowEvents;
    private double baselineWindowTrials;
    private double baselineWindowEvents;

    private long decayForNanos = -1;
    private double decay = 1;

    private RuleDetector(AlertRule rule, BigDecimal whisperPercent, DetectorState state) {
        List<String> problems = PlanValidation.ruleProblems(rule);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Objects.requireNonNull(whisperPercent, "whisperPercent");
        this.rule = rule;
        this.whisperShare = whisperPercent.doubleValue() / 100.0;
        this.above = rule.direction() == Direction.ABOVE;
        boolean absoluteProportion = rule.metric().isProportion() && !rule.relative();
        this.absoluteP0 = absoluteProportion ? (above ? rule.threshold() : 1 - rule.threshold()) : Double.NaN;
        this.absolutePerBad = absoluteProportion ? BernoulliCusum.perBad(absoluteP0) : Double.NaN;
        this.absolutePerGood = absoluteProportion ? BernoulliCusum.perGood(absoluteP0) : Double.NaN;
        this.srmAlarmLevel = rule.metric() == Metric.SRM
                ? CHI_SQUARED_1.inverseSurvivalProbability(rule.threshold()) : Double.NaN;
        this.statistic = state.statistic();
        this.samples = state.samples();
        this.events = state.events();
        this.baselineSamples = state.baselineSamples();
        this.baselineEvents = state.baselineEvents();
        this.windowTrials = state.windowTrials();
        this.windowEvents = state.windowEvents();
        this.baselineWindowTrials = state.baselineWindowTrials();
        this.baselineWindowEvents = state.baselineWindowEvents();
    }

    /**
     * A fresh detector for a phase that has just started (proportion rules begin at the head start).
     *
     * @param whisperPercent the phase's percentage (srm's expected split)
     * @throws IllegalArgumentException if the rule is not valid
     */
    public static RuleDetector start(AlertRule rule, BigDecimal whisperPercent) {
        Objects.requireNonNull(rule, "rule");
        double initial = rule.metric() != null && rule.metric().isProportion()
                ? BernoulliCusum.HEAD_START : 0.0;
        return new RuleDetector(rule, whisperPercent, new DetectorState(initial, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    /** A detector continuing from a persisted state, for the same rule and phase. */
    public static RuleDetector resume(AlertRule rule, BigDecimal whisperPercent, DetectorState state) {
        Objects.requireNonNull(rule, "rule");
        return new RuleDetector(rule, whisperPercent, Objects.requireNonNull(state, "state"));
    }

    public AlertRule rule() {
        return rule;
    }

    /**
     * Feeds one guard run.
     *
     * @param elapsed the time the counts cover (since the previous run), for the window's weighting
     * @param whisper the rule's provider and source since the previous run ({@link Tally#of}); for whisper_ready
     *     {@link Tally#readiness}; for srm whisper's split exposures
     * @param webspeech webspeech's counts over the same span (relative rules and srm; {@link Tally#NONE} otherwise)
     * @throws IllegalArgumentException for a negative span or a proportion tally with more events than trials
     */
    public void observe(Duration elapsed, Tally whisper, Tally webspeech) {
        Objects.requireNonNull(whisper, "whisper");
        Objects.requireNonNull(webspeech, "webspeech");
        if (elapsed.isNegative()) {
            throw new IllegalArgumentException("elapsed must be >= 0, got " + elapsed);
        }
        switch (rule.metric().kind()) {
            case PROPORTION -> observeProportion(elapsed, whisper, webspeech);
            case CONSECUTIVE -> {
                statistic = whisper.events() > 0 ? statistic + 1 : 0;
                samples++;
            }
            case SAMPLE_RATIO -> observeSampleRatio(whisper, webspeech);
            default -> throw new IllegalStateException("no detector for " + rule.metric().key());
        }
    }

    private void observeProportion(Duration elapsed, Tally whisper, Tally webspeech) {
        whisper.requireProportion("rule " + rule.metric().key());
        double lambda = decay(elapsed);
        windowTrials = windowTrials * lambda + whisper.trials();
        windowEvents = windowEvents * lambda + whisper.events();
        samples += whisper.trials();
        events += whisper.events();
        long bad = above ? whisper.events() : whisper.trials() - whisper.events();
        if (!rule.relative()) {
            statistic = BernoulliCusum.step(statistic, bad, whisper.trials(), absolutePerBad, absolutePerGood);
            return;
        }
        webspeech.requireProportion("rule " + rule.metric().key() + " (webspeech)");
        baselineWindowTrials = baselineWindowTrials * lambda + webspeech.trials();
        baselineWindowEvents = baselineWindowEvents * lambda + webspeech.events();
        baselineSamples += webspeech.trials();
        baselineEvents += webspeech.events();
        if (!baselineReady() || whisper.trials() == 0) {
            return;
        }
        double baselineBad = above ? baselineWindowEvents : baselineWindowTrials - baselineWindowEvents;
        double p0 = wilsonUpper(baselineBad, baselineWindowTrials) + rule.threshold();
        if (p0 >= BernoulliCusum.MAX_ACCEPTABLE) {
            return;
        }
        p0 = Math.max(p0, BernoulliCusum.MIN_ACCEPTABLE);
        statistic = BernoulliCusum.step(statistic, bad, whisper.trials(), BernoulliCusum.perBad(p0),
                BernoulliCusum.perGood(p0));
    }

    private void observeSampleRatio(Tally whisper, Tally webspeech) {
        events += whisper.trials();
        baselineSamples += webspeech.trials();
        samples += whisper.trials() + webspeech.trials();
        double chiSquared = Statistics.sampleRatioMismatch(events, baselineSamples, whisperShare).chiSquared();
        statistic = Math.min(chiSquared, Double.MAX_VALUE);
    }

    private boolean baselineReady() {
        return baselineSamples >= Math.max(1, rule.minSamples()) && baselineWindowTrials > 0;
    }

    /** The weight left to earlier counts after {@code elapsed}: e^(−elapsed/window), cached for the usual interval. */
    private double decay(Duration elapsed) {
        long nanos = elapsed.toNanos();
        if (nanos != decayForNanos) {
            decayForNanos = nanos;
            decay = Math.exp(-(double) nanos / rule.window().toNanos());
        }
        return decay;
    }

    /** Whether the rule's verdict is FAIL now: cheaper than {@link #verdict()}, for the simulator's inner loop. */
    public boolean failing() {
        return switch (rule.metric().kind()) {
            case PROPORTION -> statistic >= BernoulliCusum.ALARM_LEVEL && enoughSamples();
            case CONSECUTIVE -> statistic >= rule.threshold();
            case SAMPLE_RATIO -> enoughSamples() && statistic >= srmAlarmLevel;
            default -> false;
        };
    }

    private boolean enoughSamples() {
        boolean whisperEnough = samples >= Math.max(1, rule.minSamples());
        return whisperEnough && (!rule.relative() || baselineSamples >= Math.max(1, rule.minSamples()));
    }

    /** The verdict as of the last run, with the live value, interval, statistic and alarm level. */
    public RuleVerdict verdict() {
        return switch (rule.metric().kind()) {
            case PROPORTION -> rule.relative() ? relativeVerdict() : absoluteVerdict();
            case CONSECUTIVE -> new RuleVerdict(samples == 0 ? Verdict.NO_DATA : failing() ? Verdict.FAIL
                    : statistic == 0 ? Verdict.PASS : Verdict.INCONCLUSIVE, statistic, statistic, statistic,
                    rule.threshold(), samples, statistic, rule.threshold());
            case SAMPLE_RATIO -> sampleRatioVerdict();
            default -> throw new IllegalStateException("no detector for " + rule.metric().key());
        };
    }

    private RuleVerdict absoluteVerdict() {
        long n = Math.round(windowTrials);
        long x = Math.min(n, Math.round(windowEvents));
        Statistics.Interval i = Statistics.wilson(x, n, CONFIDENCE);
        double value = windowTrials > 0 ? Math.min(1.0, windowEvents / windowTrials) : 0.0;
        Verdict v;
        if (!enoughSamples()) {
            v = Verdict.NO_DATA;
        } else if (failing()) {
            v = Verdict.FAIL;
        } else {
            v = (above ? i.upper() < rule.threshold() : i.lower() > rule.threshold()) ? Verdict.PASS
                    : Verdict.INCONCLUSIVE;
        }
        return new RuleVerdict(v, value, i.lower(), i.upper(), rule.threshold(), samples, statistic,
                BernoulliCusum.ALARM_LEVEL);
    }

    private RuleVerdict relativeVerdict() {
        long n = Math.round(windowTrials);
        long x = Math.min(n, Math.round(windowEvents));
        long bn = Math.round(baselineWindowTrials);
        long bx = Math.min(bn, Math.round(baselineWindowEvents));
        Statistics.Interval i = Statistics.newcombeDifference(x, n, bx, bn, CONFIDENCE);
        double value = (windowTrials > 0 ? windowEvents / windowTrials : 0)
                - (baselineWindowTrials > 0 ? baselineWindowEvents / baselineWindowTrials : 0);
        double threshold = above ? rule.threshold() : -rule.threshold();
        Verdict v;
        if (!enoughSamples()) {
            v = Verdict.NO_DATA;
        } else if (failing()) {
            v = Verdict.FAIL;
        } else {
            v = (above ? i.upper() < threshold : i.lower() > threshold) ? Verdict.PASS : Verdict.INCONCLUSIVE;
        }
        return new RuleVerdict(v, value, i.lower(), i.upper(), threshold, samples, statistic,
                BernoulliCusum.ALARM_LEVEL);
    }

    private RuleVerdict sampleRatioVerdict() {
        double p = Statistics.sampleRatioMismatch(events, baselineSamples, whisperShare).pValue();
        Verdict v = !enoughSamples() ? Verdict.NO_DATA : failing() ? Verdict.FAIL : Verdict.PASS;
        return new RuleVerdict(v, p, p, p, rule.threshold(), samples, statistic, srmAlarmLevel);
    }

    /** What to persist so that {@link #resume} continues from here. */
    public DetectorState state() {
        return new DetectorState(statistic, samples, events, baselineSamples, baselineEvents, windowTrials,
                windowEvents, baselineWindowTrials, baselineWindowEvents);
    }

    /**
     * For an absolute proportion rule: how many bad trials in a row (each alone in a run) take the statistic from
     * where it is to the alarm level — 4 from the head start for "error &gt; 1 %", 9 from 0. The rule FAILs then if
     * it also has its minimum samples.
     *
     * @throws IllegalStateException for other rules (a relative rule's weights depend on webspeech)
     */
    public long badInARowToAlarm() {
        if (!rule.metric().isProportion() || rule.relative()) {
            throw new IllegalStateException("only absolute proportion rules have a fixed number");
        }
        return BernoulliCusum.badInARowToAlarm(statistic, absoluteP0);
    }

    /**
     * The upper bound of the 95 % Wilson score interval for x of n, on weighted (non-integer) counts; the formula of
     * {@link Statistics#wilson}, which takes whole counts and computes z on every call — too slow for the
     * simulator's millions of runs.
     */
    static double wilsonUpper(double x, double n) {
        if (n <= 0) {
            return 1.0;
        }
        double p = Math.min(1.0, x / n);
        if (p >= 1.0) {
            return 1.0;
        }
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double halfWidth = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return Math.max(p, Math.min(1.0, centre + halfWidth));
    }
}
