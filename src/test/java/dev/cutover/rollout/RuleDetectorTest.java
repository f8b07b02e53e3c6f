package dev.cutover.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.http.JsonMapping;
import dev.cutover.signals.Statistics;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RuleDetectorTest {
    private static final Duration RUN = Duration.ofSeconds(15);
    private static final BigDecimal CANARY = new BigDecimal("10");
    private static final Phase CANARY_PHASE = RolloutPlan.defaultPlan().phase(2);
    private static final AlertRule ERRORS = CANARY_PHASE.rules().get(0);
    private static final AlertRule RELATIVE = CANARY_PHASE.rules().get(1);
    private static final AlertRule READY = CANARY_PHASE.rules().get(3);
    private static final AlertRule CACHE = CANARY_PHASE.rules().get(4);
    private static final AlertRule SRM = CANARY_PHASE.rules().get(5);
    private static final AlertRule ERRORS_ANY_SAMPLES = new AlertRule(Metric.ERROR_RATE, null, "whisper", "client",
            Comparison.ABSOLUTE, Direction.ABOVE, 0.01, Duration.ofMinutes(5), 0, Action.ROLLBACK);

    // Golden weights for "error > 1 %": p1 has five times the odds of 1 %, 0.0505.../1.0505... = 0.0480769.
    @Test
    void theWeightsOfErrorAboveOnePercentAreTheLogLikelihoodRatiosOfFourPointEightAgainstOnePercent() {
        assertThat(BernoulliCusum.unacceptable(0.01)).isCloseTo(0.0480769, within(1e-7));
        assertThat(BernoulliCusum.perBad(0.01)).isCloseTo(1.570217, within(1e-6));
        assertThat(BernoulliCusum.perGood(0.01)).isCloseTo(-0.039221, within(1e-6));
    }

    @Test
    void aFreshDetectorStartsAtTheHeadStartAndFourErrorsInARowTripIt() {
        RuleDetector detector = RuleDetector.start(ERRORS_ANY_SAMPLES, CANARY);
        assertThat(detector.state().statistic()).isEqualTo(BernoulliCusum.HEAD_START);
        assertThat(detector.badInARowToAlarm()).isEqualTo(4);

        for (int i = 0; i < 3; i++) {
            detector.observe(RUN, new Tally(1, 1), Tally.NONE);
        }
        assertThat(detector.failing()).isFalse();
        detector.observe(RUN, new Tally(1, 1), Tally.NONE);

        assertThat(detector.failing()).isTrue();
        assertThat(detector.verdict().verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void afterAHealthyStretchTheDetectorIsAtZeroAndNeedsNineErrorsInARow() {
        RuleDetector detector = RuleDetector.start(ERRORS_ANY_SAMPLES, CANARY);
        detector.observe(RUN, new Tally(0, 1_000), Tally.NONE);
        assertThat(detector.state().statistic()).isZero();
        long k = detector.badInARowToAlarm();
        assertThat(k).isEqualTo(9);

        for (int i = 0; i < k - 1; i++) {
            detector.observe(RUN, new Tally(1, 1), Tally.NONE);
        }
        assertThat(detector.failing()).isFalse();
        detector.observe(RUN, new Tally(1, 1), Tally.NONE);
        assertThat(detector.failing()).isTrue();
    }

    @Test
    void neverAlarmsWithoutFailuresWhateverTheTraffic() {
        SplittableRandom random = new SplittableRandom(1);
        for (AlertRule rule : new AlertRule[] {ERRORS, RELATIVE, ERRORS_ANY_SAMPLES}) {
            RuleDetector detector = RuleDetector.start(rule, CANARY);
            for (int run = 0; run < 20_000; run++) {
                detector.observe(RUN, new Tally(0, random.nextInt(0, 50)), new Tally(random.nextInt(0, 3), 45));
                assertThat(detector.failing()).isFalse();
                assertThat(detector.verdict().verdict()).isNotEqualTo(Verdict.FAIL);
            }
            assertThat(detector.state().statistic()).isZero();
        }
    }

    @Test
    void moreFailuresNeverLowerTheStatistic() {
        SplittableRandom random = new SplittableRandom(2);
        for (int trial = 0; trial < 500; trial++) {
            RuleDetector fewer = RuleDetector.start(ERRORS, CANARY);
            RuleDetector more = RuleDetector.start(ERRORS, CANARY);
            for (int run = 0; run < 200; run++) {
                int n = random.nextInt(0, 20);
                int x = n == 0 ? 0 : random.nextInt(0, Math.min(n, 2) + 1);
                int extra = random.nextInt(0, n - x + 1);
                fewer.observe(RUN, new Tally(x, n), Tally.NONE);
                more.observe(RUN, new Tally(x + extra, n), Tally.NONE);
                assertThat(more.state().statistic()).isGreaterThanOrEqualTo(fewer.state().statistic());
                if (fewer.failing()) {
                    assertThat(more.failing()).isTrue();
                }
            }
        }
    }

    @Test
    void belowTheMinimumSamplesTwentyAttemptsAtHalfErrorsAreNoDataAndDoNotAct() {
        RuleDetector detector = RuleDetector.start(ERRORS, CANARY);

        detector.observe(RUN, new Tally(10, 20), Tally.NONE);

        assertThat(detector.failing()).isFalse();
        RuleVerdict verdict = detector.verdict();
        assertThat(verdict.verdict()).isEqualTo(Verdict.NO_DATA);
        assertThat(verdict.samples()).isEqualTo(20);
        assertThat(verdict.value()).isEqualTo(0.5);
        assertThat(verdict.statistic()).isGreaterThan(verdict.alarmLevel());
        // Thirty more attempts reach the minimum: the evidence was already there.
        detector.observe(RUN, new Tally(15, 30), Tally.NONE);
        assertThat(detector.verdict().verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void aHealthyRuleShowsItsLiveValueAndPassesWhenConfidentlyBelow() {
        RuleDetector detector = RuleDetector.start(ERRORS, CANARY);
        for (int run = 0; run < 240; run++) {
            detector.observe(RUN, new Tally(run % 40 == 0 ? 1 : 0, 100), Tally.NONE);
        }

        RuleVerdict verdict = detector.verdict();

        assertThat(verdict.verdict()).isEqualTo(Verdict.PASS);
        assertThat(verdict.value()).isLessThan(0.001);
        assertThat(verdict.upper()).isLessThan(0.01);
        assertThat(verdict.lower()).isLessThanOrEqualTo(verdict.value());
        assertThat(verdict.threshold()).isEqualTo(0.01);
        assertThat(verdict.samples()).isEqualTo(24_000);
        assertThat(verdict.statistic()).isZero();
        assertThat(verdict.alarmLevel()).isEqualTo(BernoulliCusum.ALARM_LEVEL);
    }

    @Test
    void theStateRoundTripsThroughJsonAndTheResumedDetectorContinuesIdentically() throws Exception {
        ObjectMapper json = JsonMapping.objectMapper();
        SplittableRandom random = new SplittableRandom(3);
        for (AlertRule rule : new AlertRule[] {ERRORS, RELATIVE, READY, CACHE, SRM}) {
            RuleDetector original = RuleDetector.start(rule, CANARY);
            for (int run = 0; run < 300; run++) {
                original.observe(RUN, tally(rule, random), webspeech(rule, random));
            }

            DetectorState state = original.state();
            DetectorState read = json.readValue(json.writeValueAsString(state), DetectorState.class);
            assertThat(read).isEqualTo(state);
            RuleDetector resumed = RuleDetector.resume(rule, CANARY, read);

            for (int run = 0; run < 300; run++) {
                Tally w = tally(rule, random);
                Tally ws = webspeech(rule, random);
                original.observe(RUN, w, ws);
                resumed.observe(RUN, w, ws);
                assertThat(resumed.verdict()).isEqualTo(original.verdict());
            }
        }
    }

    private static Tally tally(AlertRule rule, SplittableRandom random) {
        return switch (rule.metric()) {
            case WHISPER_READY -> Tally.readiness(random.nextInt(4) > 0);
            case SRM -> srmTally(random);
            case CACHE_HIT_RATE -> {
                int n = random.nextInt(0, 10);
                yield new Tally(random.nextInt(0, n + 1), n);
            }
            default -> {
                int n = random.nextInt(0, 10);
                yield new Tally(random.nextInt(10) == 0 ? Math.min(n, 1) : 0, n);
            }
        };
    }

    private static Tally srmTally(SplittableRandom random) {
        int n = random.nextInt(0, 5);
        return new Tally(n, n);
    }

    private static Tally webspeech(AlertRule rule, SplittableRandom random) {
        if (rule.metric() == Metric.SRM) {
            int n = random.nextInt(0, 45);
            return new Tally(n, n);
        }
        return rule.relative() ? new Tally(random.nextInt(20) == 0 ? 1 : 0, 45) : Tally.NONE;
    }

    @Test
    void aStateOfNegativeOrImpossibleNumbersIsRefused() {
        assertThatThrownBy(() -> new DetectorState(-1, 0, 0, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DetectorState(0, 5, 6, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DetectorState(Double.NaN, 0, 0, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anInvalidRuleGetsNoDetector() {
        AlertRule invalid = new AlertRule(Metric.ERROR_RATE, null, "whisper", "client", Comparison.ABSOLUTE,
                Direction.ABOVE, 0, Duration.ofMinutes(5), 50, Action.ROLLBACK);

        assertThatThrownBy(() -> RuleDetector.start(invalid, CANARY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rule.threshold");
    }

    @Test
    void whisperNotReadyForThreeConsecutiveRunsFailsAndOneReadyRunStartsTheCountAgain() {
        RuleDetector detector = RuleDetector.start(READY, CANARY);
        assertThat(detector.verdict().verdict()).isEqualTo(Verdict.NO_DATA);

        detector.observe(RUN, Tally.readiness(true), Tally.NONE);
        assertThat(detector.verdict().verdict()).isEqualTo(Verdict.PASS);
        detector.observe(RUN, Tally.readiness(false), Tally.NONE);
        detector.observe(RUN, Tally.readiness(false), Tally.NONE);
        assertThat(detector.verdict().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        detector.observe(RUN, Tally.readiness(true), Tally.NONE);
        detector.observe(RUN, Tally.readiness(false), Tally.NONE);
        detector.observe(RUN, Tally.readiness(false), Tally.NONE);
        assertThat(detector.failing()).isFalse();
        detector.observe(RUN, Tally.readiness(false), Tally.NONE);

        RuleVerdict verdict = detector.verdict();
        assertThat(verdict.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(verdict.statistic()).isEqualTo(3);
        assertThat(verdict.alarmLevel()).isEqualTo(3);
    }

    @Test
    void aSampleRatioMismatchFailsOnlyWithEnoughExposures() {
        RuleDetector mismatch = RuleDetector.start(SRM, new BigDecimal("50"));
        mismatch.observe(RUN, new Tally(470, 470), new Tally(530, 530));
        assertThat(mismatch.verdict().verdict()).isEqualTo(Verdict.PASS); // 1,000 exposures, p ≈ 0.06
        mismatch.observe(RUN, new Tally(4_230, 4_230), new Tally(4_770, 4_770));

        RuleVerdict verdict = mismatch.verdict();
        assertThat(verdict.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(verdict.value()).isLessThan(0.001);
        assertThat(verdict.samples()).isEqualTo(10_000);
        assertThat(verdict.statistic()).isCloseTo(36.0, within(1e-9)); // (4700 − 5000)²/5000 × 2
        assertThat(verdict.alarmLevel()).isCloseTo(10.828, within(1e-3));

        RuleDetector few = RuleDetector.start(SRM, new BigDecimal("50"));
        few.observe(RUN, new Tally(100, 100), new Tally(400, 400));
        assertThat(few.verdict().verdict()).isEqualTo(Verdict.NO_DATA);

        RuleDetector even = RuleDetector.start(SRM, new BigDecimal("50"));
        even.observe(RUN, new Tally(5_000, 5_000), new Tally(5_000, 5_000));
        assertThat(even.verdict().verdict()).isEqualTo(Verdict.PASS);
        assertThat(even.verdict().value()).isEqualTo(1.0);
    }

    @Test
    void theRelativeRuleWaitsForWebspeechAndComparesWithIt() {
        RuleDetector detector = RuleDetector.start(RELATIVE, CANARY);
        detector.observe(RUN, new Tally(50, 50), new Tally(0, 10));
        assertThat(detector.verdict().verdict()).isEqualTo(Verdict.NO_DATA);
        assertThat(detector.failing()).isFalse();
        assertThat(detector.state().statistic()).isEqualTo(BernoulliCusum.HEAD_START);

        detector.observe(RUN, new Tally(5, 5), new Tally(0, 45));

        RuleVerdict verdict = detector.verdict();
        assertThat(verdict.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(verdict.threshold()).isEqualTo(0.005);
        assertThat(verdict.value()).isGreaterThan(0.9);
    }

    @Test
    void theRelativeRuleToleratesAWhisperAsBadAsABadWebspeech() {
        RuleDetector detector = RuleDetector.start(RELATIVE, CANARY);
        // Both at 4 %: far above "error > 1 %", but not worse than webspeech.
        for (int run = 0; run < 11_520; run++) {
            detector.observe(RUN, new Tally(run % 5 == 0 ? 1 : 0, 5), new Tally(run % 5 == 0 ? 9 : 0, 45));
        }
        assertThat(detector.failing()).isFalse();
        assertThat(detector.verdict().value()).isCloseTo(0.0, within(0.01));
    }

    @Test
    void aCacheHitRateBelowTenPercentNotifiesButThirtyPercentDoesNot() {
        RuleDetector cold = RuleDetector.start(CACHE, CANARY);
        RuleDetector warm = RuleDetector.start(CACHE, CANARY);
        for (int run = 0; run < 100; run++) {
            cold.observe(RUN, new Tally(0, 5), Tally.NONE);
            warm.observe(RUN, new Tally(run % 3 == 0 ? 2 : 1, 5), Tally.NONE);
        }

        assertThat(cold.verdict().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(cold.verdict().value()).isZero();
        assertThat(warm.verdict().verdict()).isEqualTo(Verdict.PASS);
        assertThat(warm.verdict().lower()).isGreaterThan(0.10);
    }

    @Test
    void theLiveValueForgetsOldCountsOverTheWindow() {
        RuleDetector detector = RuleDetector.start(ERRORS, CANARY);
        detector.observe(RUN, new Tally(50, 100), Tally.NONE);
        detector.observe(Duration.ofHours(1), new Tally(0, 100), Tally.NONE);

        // An hour is twelve windows of 5 minutes: e^-12 of the old counts is left.
        assertThat(detector.verdict().value()).isLessThan(0.001);
        assertThat(detector.verdict().samples()).isEqualTo(200);
    }

    @Test
    void weightedWilsonBoundIsStatisticsWilsonOnWholeCounts() {
        for (long n : new long[] {1, 10, 100, 263, 1_000, 100_000}) {
            for (long x = 0; x <= n; x += Math.max(1, n / 7)) {
                assertThat(RuleDetector.wilsonUpper(x, n))
                        .isCloseTo(Statistics.wilson(x, n, 0.95).upper(), within(1e-12));
            }
        }
        assertThat(RuleDetector.wilsonUpper(0, 0)).isEqualTo(1.0);
    }

    @Test
    void countsWithMoreFailuresThanAttemptsAreRefused() {
        RuleDetector detector = RuleDetector.start(ERRORS, CANARY);

        assertThatThrownBy(() -> detector.observe(RUN, new Tally(3, 2), Tally.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> detector.observe(Duration.ofSeconds(-1), new Tally(0, 2), Tally.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
