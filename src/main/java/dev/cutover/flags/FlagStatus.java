package dev.cutover.flags;

/** The state of the rollout flag. */
public enum FlagStatus {
    /** The percentage split and overrides apply. */
    ACTIVE,
    /** Assignment continues as in ACTIVE, but the rollout must not advance until resumed. */
    PAUSED,
    /** Everyone, the allowlist included, gets webspeech. */
    ROLLED_BACK
}
