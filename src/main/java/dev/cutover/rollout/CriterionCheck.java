package dev.cutover.rollout;

import dev.cutover.signals.Statistics;
import java.math.BigDecimal;

/**
 * Judges a success criterion over a phase's counts. Advancing is one decision taken once the soak has elapsed, so a
 * fixed-sample interval over the phase is the right tool here: a 95 % Wilson interval for a proportion, Newcombe's
 * hybrid score interval for whisper minus webspeech (both from {@link Statistics}), PASS only when the whole interval
 * is on the good side of the threshold, FAIL when the whole interval is on the bad side. Looking again (autopilot
 * asks for PASS at every guard run of an hour) only makes advancing harder: every look must pass, so repeated looks
 * cannot manufacture a PASS the way they manufacture a FAIL.
 *
 * <p>rtf is a ratio of sums (engine time over audio time) judged as a value, without an interval: its samples are
 * seconds of audio. Counts (exposures, attempts) pass once reached and are INCONCLUSIVE before (never FAIL: time
 * brings them). srm passes while the sample-ratio p-value is above the threshold and fails below it.
 *
 * <p>Stateless and thread-safe.
 */
public final class CriterionCheck {
    static final double CONFIDENCE = 0.95;

    private CriterionCheck() {
    }

    /**
     * @param whisper the criterion's provider's tally over its window (for srm: whisper's split exposures)
     * @param webspeech webspeech's tally over the same window (used by relative criteria and srm, else ignored)
     * @param whisperPercent the phase's percentage (srm's expected split)
     * @throws IllegalArgumentException if the criterion is invalid or a proportion's tally has more events than trials
     */
    public static CriterionVerdict judge(Criterion criterion, Tally whisper, Tally webspeech, BigDecimal whisperPercent) {
        var problems = PlanValidation.criterionProblems(criterion);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return switch (criterion.metric().kind()) {
            case PROPORTION -> criterion.relative() ? relative(criterion, whisper, webspeech) : absolute(criterion, whisper);
            case MEAN -> mean(criterion, whisper);
            case COUNT -> count(criterion, whisper);
            case SAMPLE_RATIO -> sampleRatio(criterion, whisper, webspeech, whisperPercent);
            case CONSECUTIVE -> throw new IllegalArgumentException("whisper_ready is an alert rule only");
        };
    }

    private static CriterionVerdict absolute(Criterion c, Tally t) {
        t.requireProportion("criterion " + c.metric().key());
        Statistics.Interval i = Statistics.wilson(t.events(), t.trials(), CONFIDENCE);
        double value = Statistics.proportion(t.events(), t.trials());
        Verdict v = t.trials() == 0 || t.trials() < c.minSamples() ? Verdict.NO_DATA : bySide(c, i);
        return new CriterionVerdict(v, value, i.lower(), i.upper(), c.threshold(), t.trials());
    }

    private static CriterionVerdict relative(Criterion c, Tally whisper, Tally webspeech) {
        whisper.requireProportion("criterion " + c.metric().key());
        webspeech.requireProportion("criterion " + c.metric().key() + " (webspeech)");
        Statistics.Interval i = Statistics.newcombeDifference(whisper.events(), whisper.trials(), webspeech.events(),
                webspeech.trials(), CONFIDENCE);
        double value = Statistics.proportion(whisper.events(), whisper.trials())
                - Statistics.proportion(webspeech.events(), webspeech.trials());
        boolean enough = whisper.trials() > 0 && webspeech.trials() > 0
                && whisper.trials() >= c.minSamples() && webspeech.trials() >= c.minSamples();
        Verdict v = enough ? bySide(c, i) : Verdict.NO_DATA;
        return new CriterionVerdict(v, value, i.lower(), i.upper(), c.threshold(), whisper.trials());
    }

    /** BELOW: PASS when the interval is wholly below the threshold, FAIL when wholly above; ABOVE mirrored. */
    private static Verdict bySide(Criterion c, Statistics.Interval i) {
        double t = c.threshold();
        boolean below = c.direction() == Direction.BELOW;
        if (below ? i.upper() < t : i.lower() > t) {
            return Verdict.PASS;
        }
        if (below ? i.lower() > t : i.upper() < t) {
            return Verdict.FAIL;
        }
        return Verdict.INCONCLUSIVE;
    }

    private static CriterionVerdict mean(Criterion c, Tally t) {
        double value = t.trials() == 0 ? 0 : (double) t.events() / t.trials();
        long audioSeconds = t.trials() / 1000;
        Verdict v;
        if (t.trials() == 0 || audioSeconds < c.minSamples()) {
            v = Verdict.NO_DATA;
        } else {
            boolean good = c.direction() == Direction.BELOW ? value < c.threshold() : value > c.threshold();
            v = good ? Verdict.PASS : Verdict.FAIL;
        }
        return new CriterionVerdict(v, value, value, value, c.threshold(), audioSeconds);
    }

    private static CriterionVerdict count(Criterion c, Tally t) {
        long n = t.trials();
        Verdict v = n >= c.threshold() ? Verdict.PASS : Verdict.INCONCLUSIVE;
        return new CriterionVerdict(v, n, n, n, c.threshold(), n);
    }

    private static CriterionVerdict sampleRatio(Criterion c, Tally whisper, Tally webspeech, BigDecimal percent) {
        long total = whisper.trials() + webspeech.trials();
        double p = Statistics.sampleRatioMismatch(whisper.trials(), webspeech.trials(),
                percent.doubleValue() / 100.0).pValue();
        Verdict v = total == 0 || total < c.minSamples() ? Verdict.NO_DATA
                : p < c.threshold() ? Verdict.FAIL : Verdict.PASS;
        return new CriterionVerdict(v, p, p, p, c.threshold(), total);
    }
}
