package dev.cutover.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The guard's window bookkeeping: a golden example, and a property over random fleets in which instances flush their
 * rows of a window at different runs, re-flush a window with late observations, and the guard reads in between —
 * every count reaches the detectors exactly once, nothing is ever negative, and memory beyond the horizon is dropped.
 */
class WindowFeedTest {
    private static final int RULES = 3;

    @Test
    void aWindowCountedOnceAndThenAgainWithAnotherInstancesRowFeedsOnlyWhatIsNew() {
        Map<Long, List<GuardMemory.Fed>> first = Map.of(100L, List.of(fed(1, 10, 0, 90)));
        WindowFeed.Feed run1 = WindowFeed.of(1, first, Map.of(), 0);
        assertThat(run1.subject()).containsExactly(new Tally(1, 10));
        assertThat(run1.baseline()).containsExactly(new Tally(0, 90));

        Map<Long, List<GuardMemory.Fed>> second = Map.of(100L, List.of(fed(3, 25, 1, 200)), 110L,
                List.of(fed(0, 5, 0, 40)));
        WindowFeed.Feed run2 = WindowFeed.of(1, second, run1.fed(), 0);
        assertThat(run2.subject()).containsExactly(new Tally(2, 20));
        assertThat(run2.baseline()).containsExactly(new Tally(1, 150));

        WindowFeed.Feed run3 = WindowFeed.of(1, second, run2.fed(), 0);
        assertThat(run3.subject()).as("nothing new, nothing fed").containsExactly(Tally.NONE);

        WindowFeed.Feed pastTheHorizon = WindowFeed.of(1, Map.of(110L, List.of(fed(0, 5, 0, 40))), run3.fed(), 110);
        assertThat(pastTheHorizon.fed()).containsOnlyKeys(110L);
        assertThat(pastTheHorizon.subject()).containsExactly(Tally.NONE);
    }

    @Test
    void everyCountOfEveryInstanceReachesTheDetectorsExactlyOnceHoweverTheFlushesInterleave() {
        SplittableRandom random = new SplittableRandom(8);
        for (int trial = 0; trial < 500; trial++) {
            int instances = 1 + random.nextInt(4);
            int windows = 1 + random.nextInt(12);
            int runs = 2 + random.nextInt(20);
            // truth[instance][window][rule] = the counts that instance will have flushed for the window in the end
            long[][][][] truth = new long[instances][windows][RULES][];
            // arrival[instance][window] = the run at which a first part arrives; the rest arrives at a later run
            int[][] firstPart = new int[instances][windows];
            int[][] rest = new int[instances][windows];
            long[][] expected = new long[RULES][4];
            for (int i = 0; i < instances; i++) {
                for (int w = 0; w < windows; w++) {
                    for (int r = 0; r < RULES; r++) {
                        long trials = random.nextInt(50);
                        long events = trials == 0 ? 0 : random.nextLong(trials + 1);
                        long baselineTrials = random.nextInt(400);
                        long baselineEvents = baselineTrials == 0 ? 0 : random.nextLong(baselineTrials + 1);
                        truth[i][w][r] = new long[] {events, trials, baselineEvents, baselineTrials};
                        for (int k = 0; k < 4; k++) {
                            expected[r][k] += truth[i][w][r][k];
                        }
                    }
                    firstPart[i][w] = random.nextInt(runs);
                    rest[i][w] = firstPart[i][w] + random.nextInt(runs - firstPart[i][w]);
                }
            }
            long[][] fedInAll = new long[RULES][4];
            Map<Long, List<GuardMemory.Fed>> memory = Map.of();
            for (int run = 0; run < runs; run++) {
                Map<Long, List<GuardMemory.Fed>> current = new TreeMap<>();
                for (int w = 0; w < windows; w++) {
                    long[][] merged = new long[RULES][4];
                    boolean any = false;
                    for (int i = 0; i < instances; i++) {
                        if (run < firstPart[i][w]) {
                            continue;
                        }
                        any = true;
                        boolean whole = run >= rest[i][w];
                        for (int r = 0; r < RULES; r++) {
                            for (int k = 0; k < 4; k++) {
                                // Before the rest arrives the row holds half of it (a flush with observations queued).
                                long part = whole ? truth[i][w][r][k] : truth[i][w][r][k] / 2;
                                merged[r][k] += part;
                            }
                            merged[r][0] = Math.min(merged[r][0], merged[r][1]);
                            merged[r][2] = Math.min(merged[r][2], merged[r][3]);
                        }
                    }
                    if (any) {
                        List<GuardMemory.Fed> perRule = new ArrayList<>();
                        for (long[] m : merged) {
                            perRule.add(fed(m[0], m[1], m[2], m[3]));
                        }
                        current.put(10L * w, perRule);
                    }
                }
                WindowFeed.Feed feed = WindowFeed.of(RULES, current, memory, 0);
                for (int r = 0; r < RULES; r++) {
                    Tally s = feed.subject().get(r);
                    Tally b = feed.baseline().get(r);
                    assertThat(s.events()).isBetween(0L, s.trials());
                    assertThat(b.events()).isBetween(0L, b.trials());
                    fedInAll[r][0] += s.events();
                    fedInAll[r][1] += s.trials();
                    fedInAll[r][2] += b.events();
                    fedInAll[r][3] += b.trials();
                }
                memory = new HashMap<>(feed.fed());
            }
            // After the last run every part has arrived (rest < runs), so all of it has been fed, once.
            assertThat(fedInAll).as("trial " + trial).isDeepEqualTo(expected);
        }
    }

    private static GuardMemory.Fed fed(long events, long trials, long baselineEvents, long baselineTrials) {
        return new GuardMemory.Fed(events, trials, baselineEvents, baselineTrials);
    }
}
