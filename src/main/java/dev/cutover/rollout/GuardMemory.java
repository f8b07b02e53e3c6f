package dev.cutover.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the guard carries from one run to the next, persisted in {@code guard_state} so that a restart or another
 * instance continues where the last run stopped. Belongs to one judging epoch (the rollout's {@code judgedSince},
 * plan version and phase): when any of them changes the detectors start afresh. Immutable.
 *
 * @param rules one entry per alert rule of the phase, in the plan's order
 * @param fed for each signal window still within the guard's horizon (by its start, epoch seconds), the counts each
 *     rule has already been fed from it, so that a window flushed late (another instance, a slow flush) is counted
 *     once, at the next run, and never twice
 * @param criteriaPassSince since when every success criterion has been PASS at every run (autopilot), or null
 */
record GuardMemory(Instant judgedSince, long planVersion, int phase, Instant lastRunAt, List<RuleMemory> rules,
                   Map<Long, List<Fed>> fed, Instant criteriaPassSince) {

    GuardMemory {
        rules = List.copyOf(rules);
        fed = Collections.unmodifiableMap(new TreeMap<>(fed));
    }

    /**
     * One rule's detector state, whether its verdict was FAIL at the last run (actions fire on the change to FAIL),
     * and how many times it has turned FAIL in this epoch (part of a notification's idempotency key).
     */
    record RuleMemory(DetectorState detector, boolean failing, int onsets) {
    }

    /** What one rule has been fed from one window: the subject's and webspeech's events and trials. */
    record Fed(long events, long trials, long baselineEvents, long baselineTrials) {
        static final Fed NONE = new Fed(0, 0, 0, 0);
    }

    /** Fresh detectors for the state's phase, starting at its judging epoch. */
    static GuardMemory fresh(RolloutState state) {
        List<RuleMemory> rules = new ArrayList<>();
        for (AlertRule rule : state.currentPhase().rules()) {
            rules.add(new RuleMemory(RuleDetector.start(rule, state.currentPhase().whisperPercent()).state(), false, 0));
        }
        return new GuardMemory(state.judgedSince(), state.planVersion(), state.phase(), state.judgedSince(), rules,
                Map.of(), null);
    }

    /** Whether this memory belongs to the state's judging epoch. */
    boolean belongsTo(RolloutState state) {
        return judgedSince.equals(state.judgedSince()) && planVersion == state.planVersion() && phase == state.phase()
                && rules.size() == state.currentPhase().rules().size();
    }
}
