package dev.cutover.flags;

/** Why a session got its provider. */
public enum AssignmentReason {
    /** The sticky percentage split decided. */
    SPLIT,
    /** The user or session is on the allowlist. */
    ALLOWLIST,
    /** The user or session is on the denylist. */
    DENYLIST,
    /** The rollout is rolled back: everyone gets webspeech until an engineer resumes. */
    ROLLED_BACK,
    /** No flag state has ever been loaded on this instance: the safe default. */
    DEFAULT
}
