package dev.cutover.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Arrays;

/**
 * What the guard does when an alert rule's verdict is FAIL: only notify, pause the rollout (no advance, traffic
 * stays where it is), or roll back to webspeech for every session. "Hold" (advance refused) is not an action: it is
 * what a FAIL success criterion does, so a sample-ratio mismatch holds through its criterion and notifies through
 * its rule. An unknown name reads as {@code null} for validation to report.
 */
public enum Action {
    NOTIFY, PAUSE, ROLLBACK;

    @JsonCreator
    static Action fromName(String name) {
        return Arrays.stream(values()).filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }
}
