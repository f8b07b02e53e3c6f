package dev.cutover.rollout;

/**
 * An alert rule with its verdict at a guard run, as {@code GET /api/v1/rollout} and the evaluations show it.
 * {@code acted} says whether this run's FAIL made the guard act (notify, pause or roll back). Immutable.
 */
public record JudgedRule(int index, AlertRule rule, RuleVerdict verdict, boolean acted) {
}
