package dev.cutover.rollout;

import dev.cutover.signals.FleetSignals;
import dev.cutover.signals.SignalKey;
import dev.cutover.signals.Signals;
import dev.cutover.signals.WindowCounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the current phase may advance: its soak against the injected clock, and each success criterion judged by
 * {@link CriterionCheck} over the fleet's signals since the phase was entered (clipped to the criterion's window),
 * merged over instances per provider and source. Reads PostgreSQL; thread-safe (stateless over the store).
 */
final class AdvanceReadiness {
    private final FleetSignals signals;
    private final Clock clock;

    AdvanceReadiness(FleetSignals signals, Clock clock) {
        this.signals = signals;
        this.clock = clock;
    }

    /** One criterion with its verdict. */
    record JudgedCriterion(int index, Criterion criterion, CriterionVerdict verdict) {
    }

    /** The soak, every criterion judged, and every reason the phase may not advance (empty: it may). */
    record Readiness(long secondsInPhase, long minimumSoakSeconds, boolean soakElapsed,
                     List<JudgedCriterion> criteria, List<String> unmet) {
        boolean canAdvance() {
            return unmet.isEmpty();
        }
    }

    Readiness of(RolloutState state) {
        Phase phase = state.currentPhase();
        Instant now = clock.instant();
        Duration inPhase = Duration.between(state.enteredAt(), now);
        if (inPhase.isNegative()) {
            inPhase = Duration.ZERO;
        }
        boolean soaked = inPhase.compareTo(phase.minimumSoak()) >= 0;
        List<String> unmet = new ArrayList<>();
        if (!soaked) {
            unmet.add("minimumSoak: " + DurationText.format(inPhase.withNanos(0)) + " in phase '" + phase.name()
                    + "', below its minimum soak of " + DurationText.format(phase.minimumSoak()));
        }
        List<JudgedCriterion> judged = judge(phase, state.enteredAt(), now);
        for (JudgedCriterion j : judged) {
            if (!j.verdict().verdict().allowsAdvance()) {
                unmet.add(describe(j));
            }
        }
        return new Readiness(inPhase.toSeconds(), phase.minimumSoak().toSeconds(), soaked, judged, List.copyOf(unmet));
    }

    private List<JudgedCriterion> judge(Phase phase, Instant enteredAt, Instant now) {
        Instant to = Signals.windowOf(now).plus(Signals.WINDOW);
        Map<Instant, Map<String, WindowCounts>> bySpan = new HashMap<>();
        List<JudgedCriterion> out = new ArrayList<>();
        for (int i = 0; i < phase.criteria().size(); i++) {
            Criterion c = phase.criteria().get(i);
            Instant windowStart = now.minus(c.window());
            Instant from = windowStart.isAfter(enteredAt) ? windowStart : enteredAt;
            Map<String, WindowCounts> counts = bySpan.computeIfAbsent(from, f -> merged(f, to));
            Tally subject = Tally.of(c.metric(), c.latencyMs(), counts(counts, c.provider(), c.source()));
            Tally webspeech = Tally.of(c.metric(), c.latencyMs(), counts(counts, SignalKey.WEBSPEECH, SignalKey.CLIENT));
            out.add(new JudgedCriterion(i, c, CriterionCheck.judge(c, subject, webspeech, phase.whisperPercent())));
        }
        return List.copyOf(out);
    }

    /**
     * The windows of [from, to) merged per provider/source, streamed: settled whole hours from the hourly rollups, the
     * edges from the 10-second windows (a 48-hour criterion reads about 50 rollups per key, not 17,000 windows).
     */
    private Map<String, WindowCounts> merged(Instant from, Instant to) {
        return signals.byProviderAndSource(Signals.windowOf(from), to);
    }

    private static WindowCounts counts(Map<String, WindowCounts> merged, String provider, String source) {
        return merged.getOrDefault(provider + "/" + source, new WindowCounts());
    }

    private static String describe(JudgedCriterion j) {
        Criterion c = j.criterion();
        CriterionVerdict v = j.verdict();
        String what = c.metric().key() + (c.latencyMs() != null ? " over " + c.latencyMs() + " ms" : "")
                + " (" + c.provider() + "/" + c.source() + (c.relative() ? ", relative to webspeech" : "") + ") "
                + c.direction().name().toLowerCase() + " " + Figures.of(c.threshold());
        return "criteria[" + j.index() + "]: " + what + " is " + v.verdict() + " ("
                + Figures.measured(v.value(), v.lower(), v.upper(), v.samples()) + ", minimum " + c.minSamples() + ")";
    }
}
