package dev.cutover.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CriterionCheckTest {
    private static final BigDecimal CANARY = new BigDecimal("10");
    private static final Phase CANARY_PHASE = RolloutPlan.defaultPlan().phase(2);
    private static final Criterion ERRORS = CANARY_PHASE.criteria().get(0);
    private static final Criterion RELATIVE = CANARY_PHASE.criteria().get(1);
    private static final Criterion RTF = CANARY_PHASE.criteria().get(3);
    private static final Criterion CACHE = CANARY_PHASE.criteria().get(4);
    private static final Criterion EXPOSURES = CANARY_PHASE.criteria().get(5);
    private static final Criterion SRM = CANARY_PHASE.criteria().get(6);

    @Test
    void whisperAtTwoPercentPassesWithinHalfAPointOfWebspeechAtOnePointEight() {
        // 20,000 whisper attempts and 180,000 webspeech ones: a canary day at about 14 whisper attempts a minute.
        CriterionVerdict verdict = CriterionCheck.judge(RELATIVE, new Tally(400, 20_000), new Tally(3_240, 180_000),
                CANARY);

        assertThat(verdict.verdict()).isEqualTo(Verdict.PASS);
        assertThat(verdict.value()).isCloseTo(0.002, within(1e-9));
        assertThat(verdict.upper()).isLessThan(0.005);
        assertThat(verdict.threshold()).isEqualTo(0.005);
        assertThat(verdict.samples()).isEqualTo(20_000);
    }

    @Test
    void whisperAtTwoPercentFailsAgainstWebspeechAtHalfAPercent() {
        CriterionVerdict verdict = CriterionCheck.judge(RELATIVE, new Tally(400, 20_000), new Tally(900, 180_000),
                CANARY);

        assertThat(verdict.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(verdict.value()).isCloseTo(0.015, within(1e-9));
        assertThat(verdict.lower()).isGreaterThan(0.005);
    }

    @Test
    void theSameDifferenceOnFewSamplesIsInconclusiveAndBelowTheMinimumNoData() {
        assertThat(CriterionCheck.judge(RELATIVE, new Tally(20, 1_000), new Tally(162, 9_000), CANARY).verdict())
                .isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(CriterionCheck.judge(RELATIVE, new Tally(8, 400), new Tally(162, 9_000), CANARY).verdict())
                .isEqualTo(Verdict.NO_DATA);
        assertThat(CriterionCheck.judge(RELATIVE, new Tally(20, 1_000), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.NO_DATA);
    }

    @Test
    void anAbsoluteErrorRatePassesOnlyWhenConfidentlyBelowOnePercent() {
        assertThat(CriterionCheck.judge(ERRORS, new Tally(144, 28_800), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.PASS); // 0.5 % over a canary day at 20 a minute
        assertThat(CriterionCheck.judge(ERRORS, new Tally(5, 600), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.INCONCLUSIVE); // 0.8 %, but 600 attempts cannot tell
        assertThat(CriterionCheck.judge(ERRORS, new Tally(60, 2_000), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.FAIL); // 3 %
        assertThat(CriterionCheck.judge(ERRORS, new Tally(0, 499), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.NO_DATA);
    }

    @Test
    void aCacheHitRatePassesWhenConfidentlyAboveItsThreshold() {
        CriterionVerdict verdict = CriterionCheck.judge(CACHE, new Tally(300, 1_000), Tally.NONE, CANARY);

        assertThat(verdict.verdict()).isEqualTo(Verdict.PASS);
        assertThat(verdict.lower()).isGreaterThan(0.10);
        assertThat(CriterionCheck.judge(CACHE, new Tally(50, 1_000), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.FAIL);
    }

    @Test
    void theRealTimeFactorIsEngineTimeOverAudioTimeWithSecondsOfAudioAsSamples() {
        CriterionVerdict fast = CriterionCheck.judge(RTF, new Tally(60_000, 1_200_000), Tally.NONE, CANARY);
        assertThat(fast.verdict()).isEqualTo(Verdict.PASS);
        assertThat(fast.value()).isCloseTo(0.05, within(1e-12));
        assertThat(fast.samples()).isEqualTo(1_200);

        assertThat(CriterionCheck.judge(RTF, new Tally(2_400_000, 1_200_000), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.FAIL); // slower than real time: engine time may exceed audio time
        assertThat(CriterionCheck.judge(RTF, new Tally(1_000, 100_000), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.NO_DATA); // 100 s of audio, 600 wanted
    }

    @Test
    void minimumCountsPassOnceReachedAndAreInconclusiveBefore() {
        assertThat(CriterionCheck.judge(EXPOSURES, new Tally(499, 499), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(CriterionCheck.judge(EXPOSURES, new Tally(500, 500), Tally.NONE, CANARY).verdict())
                .isEqualTo(Verdict.PASS);
    }

    @Test
    void aSampleRatioMismatchHoldsTheRollout() {
        BigDecimal at25 = new BigDecimal("25");
        CriterionVerdict skewed = CriterionCheck.judge(SRM, new Tally(2_300, 2_300), new Tally(7_700, 7_700), at25);
        assertThat(skewed.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(skewed.value()).isLessThan(0.001);

        assertThat(CriterionCheck.judge(SRM, new Tally(2_500, 2_500), new Tally(7_500, 7_500), at25).verdict())
                .isEqualTo(Verdict.PASS);
        assertThat(CriterionCheck.judge(SRM, new Tally(200, 200), new Tally(700, 700), at25).verdict())
                .isEqualTo(Verdict.NO_DATA);
    }

    @Test
    void anInvalidCriterionOrImpossibleCountsAreRefused() {
        Criterion ready = new Criterion(Metric.WHISPER_READY, null, "whisper", "server", Comparison.ABSOLUTE,
                Direction.ABOVE, 3, Duration.ofHours(1), 0);

        assertThatThrownBy(() -> CriterionCheck.judge(ready, Tally.NONE, Tally.NONE, CANARY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("criterion.metric");
        assertThatThrownBy(() -> CriterionCheck.judge(ERRORS, new Tally(3, 2), Tally.NONE, CANARY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
