package dev.cutover.rollout;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the simulator measured. Times are minutes from the start of the phase to the guard run that rolled back, over
 * the runs that rolled back ({@code null} when none did), percentiles by nearest rank. Immutable.
 *
 * @param falseRollbacks runs rolled back by a rule whose tolerance the scenario's whisper in fact meets (error rate
 *     not above the threshold, not worse than webspeech by more than the margin, ready)
 * @param paused runs in which a PAUSE rule failed (before any rollback)
 * @param notified runs in which a NOTIFY rule failed (before any rollback)
 * @param rollbacksByRule runs rolled back, by the rule that did it ({@code rules[i]: metric …}, first in the plan's
 *     order when several failed at the same run)
 * @param notSimulated the rules the simulator cannot drive (it draws errors and readiness only), which never fire
 */
public record SimulationResult(int runs, int rolledBack, double rollbackRate, int falseRollbacks,
                               double falseRollbackRate, Double medianMinutesToRollback, Double p95MinutesToRollback,
                               Double maxMinutesToRollback, int paused, int notified,
                               Map<String, Integer> rollbacksByRule, List<String> notSimulated) {

    public SimulationResult {
        rollbacksByRule = Collections.unmodifiableMap(new LinkedHashMap<>(rollbacksByRule));
        notSimulated = List.copyOf(notSimulated);
    }
}
