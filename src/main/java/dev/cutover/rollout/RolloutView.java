package dev.cutover.rollout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/rollout}: the plan, the state, the current phase, time in phase against its soak, every success
 * criterion with its verdict, every alert rule with the guard's last verdict, and whether the next phase may start with every reason if not. Immutable.
 */
public record RolloutView(RolloutPlan plan, long planVersion, RolloutStatus status, long version, PhaseView phase,
                          Integer rolledBackFrom, Instant enteredAt, long secondsInPhase, long minimumSoakSeconds,
                          boolean soakElapsed, List<AdvanceReadiness.JudgedCriterion> criteria, List<JudgedRule> rules,
                          GuardView guard, boolean canAdvance,
                          List<String> reasons, Instant updatedAt) {

    /**
     * The guard: how often it runs, since when it judges this phase (its detectors started then), its last run and
     * the instance that ran it.
     */
    public record GuardView(long intervalSeconds, Instant judgedSince, Instant lastRunAt, String instance) {
    }

    /** The current phase: its index in the plan, name, whisper percentage and whether only an engineer leaves it. */
    public record PhaseView(int index, String name, BigDecimal whisperPercent, boolean manual, boolean last) {
    }
}
