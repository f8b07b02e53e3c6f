package dev.cutover.rollout;

/**
 * Where the rollout stands: {@code ACTIVE} (the phase runs and may advance), {@code PAUSED} (traffic stays, no
 * advance until resumed), {@code ROLLED_BACK} (everyone on webspeech until an engineer resumes), {@code COMPLETED}
 * (whisper for everyone, the migration done).
 */
public enum RolloutStatus {
    ACTIVE, PAUSED, ROLLED_BACK, COMPLETED
}
