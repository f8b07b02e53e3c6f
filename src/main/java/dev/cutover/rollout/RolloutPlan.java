package dev.cutover.rollout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The rollout plan as data: its phases in order (whisper's percentage never decreasing) and whether autopilot may
 * advance by itself. Immutable, hence thread-safe; a plan read from JSON may be invalid until
 * {@link PlanValidation#problems} is empty, so check that before using it.
 *
 * <p>JSON: {@code {"phases": [{"name": "canary", "whisperPercent": 10, "minimumSoak": "24h", "manual": false,
 * "criteria": [...], "rules": [...]}], "autopilot": false}}, each criterion and rule flat (see {@link Criterion},
 * {@link AlertRule}), metrics in lower_snake case, other enums by their upper-case names, durations as
 * {@code "5m"}.
 */
public record RolloutPlan(List<Phase> phases, boolean autopilot) {

    public RolloutPlan {
        phases = phases == null ? null : Collections.unmodifiableList(new ArrayList<>(phases));
    }

    /** The plan from the migration runbook: baseline, developer testing, canary 10 %, 25, 50, 75, full 100 %. */
    public static RolloutPlan defaultPlan() {
        return DefaultPlan.PLAN;
    }

    public Phase phase(int index) {
        return phases.get(index);
    }

    /** The index of the phase named {@code name}, or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < phases.size(); i++) {
            if (phases.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
