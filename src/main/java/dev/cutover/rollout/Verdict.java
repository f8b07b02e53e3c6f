package dev.cutover.rollout;

/**
 * The outcome of judging a criterion or a rule: {@code PASS} confidently within, {@code FAIL} confidently beyond,
 * {@code INCONCLUSIVE} neither yet, {@code NO_DATA} below the minimum samples (or the signals could not be read).
 * Only FAIL acts; only PASS lets a phase advance.
 */
public enum Verdict {
    PASS, FAIL, INCONCLUSIVE, NO_DATA;

    /** Whether the guard acts on it (an alert rule's action, a criterion's hold). */
    public boolean acts() {
        return this == FAIL;
    }

    /** Whether a success criterion with this verdict lets the phase advance. */
    public boolean allowsAdvance() {
        return this == PASS;
    }
}
