package dev.cutover.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The guard's bookkeeping of what each rule has been fed from each signal window, so that every count reaches a
 * detector exactly once however the windows arrive: an instance flushes its row of a window after another's, a
 * window is flushed again with observations that were still queued, a run reads while a flush is under way. At each
 * run a rule is fed, per window, what the window holds beyond what the rule was already fed from it; windows older
 * than the horizon are forgotten. Counts only grow in a window (upserts add), and a count that seems to shrink (a
 * read between two instances' flushes never does, but a pruned window would) feeds nothing. Pure and stateless.
 */
final class WindowFeed {

    private WindowFeed() {
    }

    /**
     * What one run feeds the rules (the subject's and webspeech's counts per rule, in the plan's order) and what each
     * rule will have been fed from each window of the horizon after it.
     */
    record Feed(List<Tally> subject, List<Tally> baseline, Map<Long, List<GuardMemory.Fed>> fed) {
    }

    /**
     * @param rules how many rules the phase has
     * @param current each window of the horizon (its start, epoch seconds) with each rule's totals as PostgreSQL
     *     holds them now
     * @param before what each rule had been fed from each window by the earlier runs of this judging epoch
     * @param from the start of the oldest window still counted (epoch seconds): older memory is dropped
     */
    static Feed of(int rules, Map<Long, List<GuardMemory.Fed>> current, Map<Long, List<GuardMemory.Fed>> before,
                   long from) {
        TreeSet<Long> windows = new TreeSet<>(current.keySet());
        before.keySet().stream().filter(at -> at >= from).forEach(windows::add);
        windows.headSet(from).clear();
        long[][] sums = new long[rules][4];
        Map<Long, List<GuardMemory.Fed>> fed = new TreeMap<>();
        for (long window : windows) {
            List<GuardMemory.Fed> was = before.getOrDefault(window, List.of());
            List<GuardMemory.Fed> now = current.getOrDefault(window, List.of());
            List<GuardMemory.Fed> after = new ArrayList<>(rules);
            for (int i = 0; i < rules; i++) {
                GuardMemory.Fed old = i < was.size() ? was.get(i) : GuardMemory.Fed.NONE;
                GuardMemory.Fed seen = i < now.size() ? now.get(i) : GuardMemory.Fed.NONE;
                GuardMemory.Fed next = new GuardMemory.Fed(Math.max(old.events(), seen.events()),
                        Math.max(old.trials(), seen.trials()), Math.max(old.baselineEvents(), seen.baselineEvents()),
                        Math.max(old.baselineTrials(), seen.baselineTrials()));
                sums[i][0] += next.events() - old.events();
                sums[i][1] += next.trials() - old.trials();
                sums[i][2] += next.baselineEvents() - old.baselineEvents();
                sums[i][3] += next.baselineTrials() - old.baselineTrials();
                after.add(next);
            }
            fed.put(window, List.copyOf(after));
        }
        List<Tally> subject = new ArrayList<>(rules);
        List<Tally> baseline = new ArrayList<>(rules);
        for (long[] sum : sums) {
            // Every rule's events are a subset of its trials; keep it so even if a window were read mid-prune.
            subject.add(new Tally(Math.min(sum[0], sum[1]), sum[1]));
            baseline.add(new Tally(Math.min(sum[2], sum[3]), sum[3]));
        }
        return new Feed(List.copyOf(subject), List.copyOf(baseline), fed);
    }
}
