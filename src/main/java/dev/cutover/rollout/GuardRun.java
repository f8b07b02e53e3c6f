package dev.cutover.rollout;

import dev.cutover.http.ApiError;
import dev.cutover.signals.FleetSignals;
import dev.cutover.signals.SignalKey;
import dev.cutover.signals.SignalStore;
import dev.cutover.signals.Signals;
import dev.cutover.signals.WindowCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One guard run: judge the current phase's alert rules on what the fleet's signal windows added since the last run,
 * act on a rule's change to FAIL through the same state machine as an engineer (actor {@code guard}), let autopilot
 * advance when it may, and keep the verdicts. Reads and writes PostgreSQL; a failure to read is thrown, so nothing
 * acts on signals that could not be read (the caller reports NO_DATA).
 *
 * <p>What acts: a ROLLBACK rule that is FAIL rolls back (while the rollout is ACTIVE or PAUSED; once rolled back
 * there is nothing left to do, which is what makes it happen exactly once); a PAUSE rule pauses an ACTIVE rollout
 * when it turns FAIL; a NOTIFY rule queues one alert when it turns FAIL. A transition refused because someone else
 * moved the rollout first is retried at the next run on the state as it then is.
 *
 * <p>Not thread-safe: the guard's thread alone runs it, on the instance holding the guard's lock.
 */
final class GuardRun {
    private static final Logger LOG = LoggerFactory.getLogger(GuardRun.class);
    /** How far back a window flushed late (another instance, a slow flush) is still counted. */
    static final Duration HORIZON = Duration.ofMinutes(10);
    /** Autopilot advances after every criterion has been PASS at every run for this long (and the soak elapsed). */
    static final Duration AUTOPILOT_STEADY = Duration.ofHours(1);
    static final String GUARD = "guard";
    static final String AUTOPILOT = "autopilot";

    private final RolloutService rollout;
    private final GuardStore store;
    private final SignalStore signals;
    private final FleetSignals fleet;
    private final String instanceId;
    /** Asked right before a transition: the lock may have been lost during the run (its session cut). */
    private final BooleanSupplier stillGuarding;

    GuardRun(RolloutService rollout, GuardStore store, SignalStore signals, FleetSignals fleet, String instanceId,
             BooleanSupplier stillGuarding) {
        this.stillGuarding = stillGuarding;
        this.rollout = rollout;
        this.store = store;
        this.signals = signals;
        this.fleet = fleet;
        this.instanceId = instanceId;
    }

    /** What a run did: its outcome ({@code idle} when the rollout is not ACTIVE or PAUSED) and the rules' verdicts. */
    record Result(Instant at, String outcome, List<JudgedRule> rules) {
    }

    /** A window's counts for one provider and source. */
    private record Slot(Instant at, String provider, String source) {
    }

    Result run(Instant now) {
        RolloutState state = rollout.current();
        if (state.status() != RolloutStatus.ACTIVE && state.status() != RolloutStatus.PAUSED) {
            return new Result(now, "idle", List.of());
        }
        GuardMemory memory = store.load().map(GuardStore.Saved::memory).filter(m -> m.belongsTo(state))
                .orElseGet(() -> GuardMemory.fresh(state));
        WindowFeed.Feed feed = feed(state, memory, now);
        List<RuleDetector> detectors = judge(state, memory, feed, now);
        List<RuleVerdict> verdicts = detectors.stream().map(RuleDetector::verdict).toList();
        Decision decision = decide(state, memory, verdicts);
        act(state, memory, verdicts, decision, now);
        List<JudgedRule> judged = judged(state.currentPhase(), verdicts, decision.acted);
        remember(state, memory, feed, detectors, verdicts, decision, judged, now);
        return new Result(now, decision.outcome, judged);
    }

    /** Each rule's detector, resumed from the memory and fed this run's counts. */
    private List<RuleDetector> judge(RolloutState state, GuardMemory memory, WindowFeed.Feed feed, Instant now) {
        Phase phase = state.currentPhase();
        Instant lastRun = memory.lastRunAt().isBefore(now) ? memory.lastRunAt() : now;
        boolean ready = fleet.whisperReadySince(lastRun.minus(FleetSignals.LIVE_WITHIN));
        Duration elapsed = Duration.between(lastRun, now);
        List<RuleDetector> detectors = new ArrayList<>();
        for (int i = 0; i < phase.rules().size(); i++) {
            AlertRule rule = phase.rules().get(i);
            RuleDetector detector = RuleDetector.resume(rule, phase.whisperPercent(), memory.rules().get(i).detector());
            Tally subject = rule.metric() == Metric.WHISPER_READY ? Tally.readiness(ready) : feed.subject().get(i);
            Tally baseline = rule.relative() || rule.metric() == Metric.SRM ? feed.baseline().get(i) : Tally.NONE;
            detector.observe(elapsed, subject, baseline);
            detectors.add(detector);
        }
        return detectors;
    }

    /**
     * Runs the transition the verdicts ask for, or lets autopilot advance when no rule is FAIL. A transition refused
     * because someone moved the rollout first is not counted as done: the next run judges again on the new state.
     */
    private void act(RolloutState state, GuardMemory memory, List<RuleVerdict> verdicts, Decision decision,
                     Instant now) {
        if (decision.transition != null) {
            if (!apply(state, decision.transition, GUARD, decision.reason,
                    Map.of("rules", judged(state.currentPhase(), verdicts, decision.acted)))) {
                decision.acted[decision.actingRule] = false;
                decision.refused = true;
                decision.outcome = "refused";
            }
            return;
        }
        if (verdicts.stream().anyMatch(v -> v.verdict() == Verdict.FAIL)) {
            return;
        }
        Autopilot autopilot = autopilot(state, memory, now);
        decision.criteria = autopilot.criteria;
        decision.criteriaPassSince = autopilot.passSince;
        if (autopilot.advance && apply(state, Transition.ADVANCE, AUTOPILOT, autopilot.reason,
                Map.of("criteriaPassSince", autopilot.passSince))) {
            decision.outcome = "advance";
        }
    }

    /** Persists the detectors and what they were fed, the evaluation and the alerts, in one transaction. */
    private void remember(RolloutState state, GuardMemory memory, WindowFeed.Feed feed, List<RuleDetector> detectors,
                          List<RuleVerdict> verdicts, Decision decision, List<JudgedRule> judged, Instant now) {
        List<GuardMemory.RuleMemory> rules = new ArrayList<>();
        for (int i = 0; i < detectors.size(); i++) {
            GuardMemory.RuleMemory was = memory.rules().get(i);
            boolean failing = verdicts.get(i).verdict() == Verdict.FAIL
                    && !(decision.refused && i == decision.actingRule);
            boolean onset = failing && !was.failing();
            rules.add(new GuardMemory.RuleMemory(detectors.get(i).state(), failing, was.onsets() + (onset ? 1 : 0)));
        }
        GuardMemory next = new GuardMemory(memory.judgedSince(), memory.planVersion(), memory.phase(), now, rules,
                feed.fed(), decision.criteriaPassSince);
        store.jdbi().useTransaction(handle -> {
            store.save(handle, next, judged, instanceId);
            store.insertEvaluation(handle, now, instanceId, state, decision.outcome, judged, decision.criteria);
            for (int i = 0; i < judged.size(); i++) {
                if (decision.notify[i]) {
                    // Keyed by epoch, rule and onset: a run repeated after a crash queues nothing twice.
                    store.enqueueAlert(handle, "alert:" + memory.judgedSince().toEpochMilli() + ":" + i + ":"
                            + rules.get(i).onsets(), alert(state, judged.get(i)), now);
                }
            }
        });
    }

    /**
     * What the fleet's windows of the horizon hold for each rule beyond what it has been fed from them
     * ({@link WindowFeed}): the windows since the judging epoch began, at most {@link #HORIZON} back.
     */
    private WindowFeed.Feed feed(RolloutState state, GuardMemory memory, Instant now) {
        Instant epochStart = Signals.windowOf(state.judgedSince());
        Instant horizonStart = Signals.windowOf(now).minus(HORIZON);
        Instant from = epochStart.isAfter(horizonStart) ? epochStart : horizonStart;
        Instant to = Signals.windowOf(now).plus(Signals.WINDOW);
        Map<Slot, WindowCounts> counts = new HashMap<>();
        signals.mergeWindowsInto(from, to, row -> new Slot(row.at(), row.key().provider(), row.key().source()), counts);
        List<AlertRule> rules = state.currentPhase().rules();
        Map<Long, List<GuardMemory.Fed>> current = new TreeMap<>();
        for (Instant window : new TreeSet<>(counts.keySet().stream().map(Slot::at).toList())) {
            List<GuardMemory.Fed> perRule = new ArrayList<>();
            for (AlertRule rule : rules) {
                if (rule.metric() == Metric.WHISPER_READY) {
                    perRule.add(GuardMemory.Fed.NONE); // judged on heartbeats, not windows
                    continue;
                }
                Tally subject = Tally.of(rule.metric(), rule.latencyMs(),
                        counts.getOrDefault(new Slot(window, rule.provider(), rule.source()), new WindowCounts()));
                Tally baseline = Tally.of(rule.metric(), rule.latencyMs(),
                        counts.getOrDefault(new Slot(window, SignalKey.WEBSPEECH, SignalKey.CLIENT), new WindowCounts()));
                perRule.add(new GuardMemory.Fed(subject.events(), subject.trials(), baseline.events(),
                        baseline.trials()));
            }
            current.put(window.getEpochSecond(), perRule);
        }
        return WindowFeed.of(rules.size(), current, memory.fed(), from.getEpochSecond());
    }

    /** What the rules' verdicts ask for at this run, and what came of it. */
    private static final class Decision {
        String outcome = "ok";
        Transition transition;
        String reason;
        int actingRule = -1;
        boolean refused;
        boolean[] acted;
        boolean[] notify;
        List<AdvanceReadiness.JudgedCriterion> criteria;
        Instant criteriaPassSince;
    }

    private static Decision decide(RolloutState state, GuardMemory memory, List<RuleVerdict> verdicts) {
        List<AlertRule> rules = state.currentPhase().rules();
        Decision d = new Decision();
        d.acted = new boolean[rules.size()];
        d.notify = new boolean[rules.size()];
        for (int i = 0; i < rules.size() && d.transition == null; i++) {
            if (verdicts.get(i).verdict() == Verdict.FAIL && rules.get(i).action() == Action.ROLLBACK) {
                d.transition = Transition.ROLLBACK;
                d.actingRule = i;
                d.outcome = "rollback";
            }
        }
        for (int i = 0; i < rules.size() && d.transition == null; i++) {
            if (turnedFail(memory, verdicts, i) && rules.get(i).action() == Action.PAUSE
                    && state.status() == RolloutStatus.ACTIVE) {
                d.transition = Transition.PAUSE;
                d.actingRule = i;
                d.outcome = "pause";
            }
        }
        if (d.transition != null) {
            d.acted[d.actingRule] = true;
            d.reason = "guard: " + Simulator.describe(d.actingRule, rules.get(d.actingRule)) + " is FAIL ("
                    + describe(verdicts.get(d.actingRule)) + ")";
        }
        for (int i = 0; i < rules.size(); i++) {
            if (turnedFail(memory, verdicts, i) && rules.get(i).action() == Action.NOTIFY) {
                d.notify[i] = true;
                d.acted[i] = true;
                if (d.transition == null) {
                    d.outcome = "notify";
                }
            }
        }
        return d;
    }

    /** Whether rule {@code i} is FAIL now and was not at the last run: what PAUSE and NOTIFY act on. */
    private static boolean turnedFail(GuardMemory memory, List<RuleVerdict> verdicts, int i) {
        return verdicts.get(i).verdict() == Verdict.FAIL && !memory.rules().get(i).failing();
    }

    /** Whether autopilot advances now, and the criteria it judged on the way. */
    private record Autopilot(boolean advance, String reason, Instant passSince,
                             List<AdvanceReadiness.JudgedCriterion> criteria) {
    }

    private Autopilot autopilot(RolloutState state, GuardMemory memory, Instant now) {
        Phase phase = state.currentPhase();
        if (!state.plan().autopilot() || state.status() != RolloutStatus.ACTIVE || phase.manual()
                || state.atLastPhase()) {
            return new Autopilot(false, null, null, null);
        }
        Duration inPhase = Duration.between(state.enteredAt(), now);
        if (inPhase.plus(AUTOPILOT_STEADY).compareTo(phase.minimumSoak()) < 0) {
            return new Autopilot(false, null, null, null); // judged from the soak's last hour on
        }
        AdvanceReadiness.Readiness readiness = rollout.readiness(state);
        boolean allPass = readiness.criteria().stream().allMatch(c -> c.verdict().verdict().allowsAdvance());
        Instant since = !allPass ? null : memory.criteriaPassSince() != null ? memory.criteriaPassSince() : now;
        boolean steady = since != null && Duration.between(since, now).compareTo(AUTOPILOT_STEADY) >= 0;
        boolean advance = steady && readiness.soakElapsed();
        String reason = "autopilot: minimum soak of " + DurationText.format(phase.minimumSoak())
                + " elapsed and every success criterion PASS at every guard run since " + since;
        return new Autopilot(advance, reason, since, readiness.criteria());
    }

    /** Runs a transition; false when the rollout moved first (or a criterion no longer holds for autopilot). */
    private boolean apply(RolloutState state, Transition transition, String actor, String reason,
                          Map<String, Object> evidence) {
        if (!stillGuarding.getAsBoolean()) {
            LOG.info("The {} did not {}: this instance lost the guard's lock during the run", actor, transition.key());
            return false;
        }
        try {
            rollout.apply(actor, transition, new TransitionRequest(state.version(), reason, false), evidence);
            LOG.warn("Rollout {} by the {}: {}", transition.key(), actor, reason);
            return true;
        } catch (ApiError e) {
            if (e.status() != 409) {
                throw e;
            }
            LOG.info("The {} did not {}: {}", actor, transition.key(), e.getMessage());
            return false;
        }
    }

    private static List<JudgedRule> judged(Phase phase, List<RuleVerdict> verdicts, boolean[] acted) {
        List<JudgedRule> out = new ArrayList<>();
        for (int i = 0; i < verdicts.size(); i++) {
            out.add(new JudgedRule(i, phase.rules().get(i), verdicts.get(i), acted[i]));
        }
        return List.copyOf(out);
    }

    private static String describe(RuleVerdict v) {
        return Figures.measured(v.value(), v.lower(), v.upper(), v.samples()) + ", statistic "
                + Figures.of(v.statistic()) + " at alarm level " + Figures.of(v.alarmLevel());
    }

    private static Map<String, Object> alert(RolloutState state, JudgedRule rule) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text", "Cutover alert at phase '" + state.currentPhase().name() + "' (whisper "
                + state.flagPercentage().toPlainString() + " %, " + state.status() + "): "
                + Simulator.describe(rule.index(), rule.rule()) + " is FAIL (" + describe(rule.verdict()) + ")");
        out.put("action", "rollout.alert");
        out.put("actor", GUARD);
        out.put("phase", state.currentPhase().name());
        out.put("rule", rule);
        return out;
    }
}
