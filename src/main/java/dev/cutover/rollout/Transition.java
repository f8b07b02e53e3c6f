package dev.cutover.rollout;

import java.util.Locale;

/** What an engineer (or later the guard) asks the rollout to do; the audit action is {@code rollout.<name>}. */
public enum Transition {
    ADVANCE, PAUSE, RESUME, ROLLBACK, COMPLETE;

    /** The lower-case name used in paths and audit actions, e.g. {@code advance}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    String auditAction() {
        return "rollout." + key();
    }
}
