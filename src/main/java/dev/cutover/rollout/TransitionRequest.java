package dev.cutover.rollout;

/**
 * A transition as asked: against the rollout state's {@code expectedVersion}, with a reason (required) and, for
 * advance only, {@code force} to advance although the soak or a criterion is not met (audited as forced).
 */
public record TransitionRequest(long expectedVersion, String reason, boolean force) {
}
