package dev.cutover.flags.ofrep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.flags.FlagOverride;
import dev.cutover.flags.FlagSnapshot;
import dev.cutover.flags.FlagSnapshots;
import dev.cutover.flags.FlagStatus;
import dev.cutover.flags.OverrideList;
import dev.cutover.flags.OverrideSubject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OfrepEvaluationTest {
    private static final Instant AT = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void anInstanceThatNeverLoadedTheFlagAnswersWebspeechWithReasonDefault() {
        OfrepEvaluation evaluation = new OfrepEvaluation(new FlagSnapshots());

        OfrepFlagEvaluation result = evaluation.evaluate(FlagSnapshot.FLAG_KEY, new OfrepContext("s-1", Optional.empty())).orElseThrow();

        assertThat(result.value()).isEqualTo("webspeech");
        assertThat(result.reason()).isEqualTo("DEFAULT");
        assertThat(result.metadata()).containsEntry("version", 0L).containsEntry("assignmentReason", "DEFAULT");
        assertThat(evaluation.evaluateAll(new OfrepContext("s-1", Optional.empty())).flags()).containsExactly(result);
    }

    @Test
    void overridesAreTargetingMatchesAndARollbackIsDisabledForEveryone() {
        List<FlagOverride> overrides = List.of(
                new FlagOverride(1, OverrideList.ALLOW, OverrideSubject.USER, "dev-alice", "", "test", AT),
                new FlagOverride(2, OverrideList.DENY, OverrideSubject.SESSION, "kiosk-3", "", "test", AT));
        FlagSnapshots active = holding(FlagSnapshot.of(FlagSnapshot.FLAG_KEY, new BigDecimal("100.00"), FlagStatus.ACTIVE, 7, AT, overrides, AT));
        FlagSnapshots rolledBack = holding(FlagSnapshot.of(FlagSnapshot.FLAG_KEY, new BigDecimal("100.00"), FlagStatus.ROLLED_BACK, 8, AT, overrides, AT));

        assertThat(answer(active, "s-1", null)).containsExactly("whisper", "SPLIT");
        assertThat(answer(active, "s-1", "dev-alice")).containsExactly("whisper", "TARGETING_MATCH");
        assertThat(answer(active, "kiosk-3", null)).containsExactly("webspeech", "TARGETING_MATCH");
        assertThat(answer(rolledBack, "s-1", "dev-alice")).containsExactly("webspeech", "DISABLED");
        assertThat(answer(rolledBack, "s-1", null)).containsExactly("webspeech", "DISABLED");
    }

    @Test
    void onlyTheRolloutFlagExists() {
        OfrepEvaluation evaluation = new OfrepEvaluation(new FlagSnapshots());

        assertThat(evaluation.evaluate("dark-mode", new OfrepContext("s", Optional.empty()))).isEmpty();
    }

    private static List<String> answer(FlagSnapshots snapshots, String sessionId, String userId) {
        OfrepFlagEvaluation result = new OfrepEvaluation(snapshots)
                .evaluate(FlagSnapshot.FLAG_KEY, new OfrepContext(sessionId, Optional.ofNullable(userId))).orElseThrow();
        assertThat(result.variant()).isEqualTo(result.value());
        return List.of(result.value(), result.reason());
    }

    private static FlagSnapshots holding(FlagSnapshot snapshot) {
        FlagSnapshots snapshots = new FlagSnapshots();
        snapshots.replace(snapshot);
        return snapshots;
    }
}
