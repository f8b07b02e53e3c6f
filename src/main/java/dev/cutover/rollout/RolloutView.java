package dev.cutover.rollout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/rollout}: the plan, the state, the current phase, time in phase against its soak, every success
 * criterion with its verdict, and whether the next phase may start with every reason if not. Immutable.
 */
public record RolloutView(RolloutPlan plan, long planVersion, RolloutStatus status, long version, PhaseView phase,
                          Integer rolledBackFrom, Instant enteredAt, long secondsInPhase, long minimumSoakSeconds,
                          boolean soakElapsed, List<AdvanceReadiness.JudgedCriterion> criteria, boolean canAdvance,
                          List<String> reasons, Instant updatedAt) {

    /** The current phase: its index in the plan, name, whisper percentage and whether only an engineer leaves it. */
    public record PhaseView(int index, String name, BigDecimal whisperPercent, boolean manual, boolean last) {
    }
}
