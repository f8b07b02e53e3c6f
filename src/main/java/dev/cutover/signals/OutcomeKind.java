package dev.cutover.signals;

import java.util.Locale;

/** How a transcription request ended, as the rollout guard and the metrics count it. */
public enum OutcomeKind {
    /** A transcript was returned (from the engine or the cache). */
    OK,
    /** The caller sent something wrong (bad audio, bad field, missing key): not the service's fault. */
    CLIENT_ERROR,
    /** Every worker was busy and the queue full, or the wait timed out: the caller should retry. */
    BUSY,
    /** No usable model is loaded on this instance. */
    MODEL_NOT_LOADED,
    /** Anything else that went wrong on our side. */
    ERROR;

    /** The lower-case name used as a metric tag and in JSON. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this outcome counts against the service (client errors do not). */
    public boolean isServiceFailure() {
        return this != OK && this != CLIENT_ERROR;
    }
}
