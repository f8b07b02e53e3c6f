package dev.cutover.rollout;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The rollout row: the plan with its version, and the state with its own version (what transitions check).
 * {@code rolledBackFrom} is the phase a rollback left, which resume returns to; {@code judgedSince} starts the
 * guard's judging epoch (phase entered, resumed or plan changed): its detectors start afresh then. Immutable.
 */
public record RolloutState(RolloutPlan plan, long planVersion, RolloutStatus status, int phase,
                           Integer rolledBackFrom, Instant enteredAt, long version, Instant updatedAt,
                           Instant judgedSince) {

    @JsonIgnore
    Phase currentPhase() {
        return plan.phase(phase);
    }

    @JsonIgnore
    boolean atLastPhase() {
        return phase == plan.phases().size() - 1;
    }

    /** The whisper percentage the flag must hold in this state (0 while rolled back, 100 once completed). */
    @JsonIgnore
    BigDecimal flagPercentage() {
        return switch (status) {
            case ROLLED_BACK -> BigDecimal.ZERO;
            case COMPLETED -> BigDecimal.valueOf(100);
            default -> currentPhase().whisperPercent();
        };
    }

    RolloutState with(RolloutStatus status, int phase, Integer rolledBackFrom, Instant enteredAt,
                      Instant newJudgedSince) {
        return new RolloutState(plan, planVersion, status, phase, rolledBackFrom, enteredAt, version, updatedAt,
                newJudgedSince);
    }
}
