package dev.cutover.rollout;

import static dev.cutover.signals.SignalKey.CLIENT;
import static dev.cutover.signals.SignalKey.SERVER;
import static dev.cutover.signals.SignalKey.WEBSPEECH;
import static dev.cutover.signals.SignalKey.WHISPER;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.audit.AuditEvent;
import dev.cutover.audit.AuditLog;
import dev.cutover.db.DatabaseFailures;
import dev.cutover.http.ApiError;
import dev.cutover.signals.FleetSignals;
import dev.cutover.signals.Signals;
import dev.cutover.signals.WindowCounts;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/rollout/report}: the migration runbook's success criteria over the last 7 days at 100 %, each
 * with its measured value and verdict, whether the migration is done ({@code ready}) and why not, and the phase
 * history.
 *
 * <p>The criteria, judged by {@link CriterionCheck} (95 % Wilson intervals; PASS only when the whole interval is on
 * the good side, NO_DATA below {@link #MIN_SAMPLES} trials):
 * <ul>
 *   <li>availability ≥ 95 %: the share of the service's whisper requests ({@code server} source) that it answered
 *       rather than failed on its side (busy, no model loaded, engine error; the caller's mistakes excluded), i.e.
 *       1 − the server-side error rate. It is the service's own view: what the browser saw on top (network,
 *       fallbacks) is the error-rate criterion's, and a fleet with no live instance records nothing server-side —
 *       the client error rate catches that. Uptime from heartbeats is not kept (only each instance's last one).</li>
 *   <li>P95 &lt; 2 s: under 5 % of whisper attempts (client) slower than 2 s; the P95 itself is shown beside it.</li>
 *   <li>error rate &lt; 1 %: whisper's failures (fallbacks included) of its attempts, as the browsers reported.</li>
 *   <li>no rollbacks for a week: no {@code rollout.rollback} in the audit log over the last 7 days and not rolled
 *       back now (FAIL otherwise); INCONCLUSIVE while the rollout is younger than 7 days.</li>
 *   <li>cache hit rate &gt; 30 %: the service's cache hits of its lookups.</li>
 * </ul>
 * The span is the last 7 days, clipped to the time at 100 % when the rollout is there; when it is not, the last 7
 * days whatever the phase (and {@code ready} is false). Reads PostgreSQL; thread-safe (stateless over its stores).
 */
public final class MigrationReport {
    static final Duration SPAN = Duration.ofDays(7);
    static final long MIN_SAMPLES = DefaultPlan.CRITERION_MIN_SAMPLES;
    static final BigDecimal FULL = BigDecimal.valueOf(100);
    static final int MAX_AUDIT_ROWS = 10_000;
    private static final Criterion AVAILABILITY = new Criterion(Metric.ERROR_RATE, null, WHISPER, SERVER,
            Comparison.ABSOLUTE, Direction.BELOW, 0.05, SPAN, MIN_SAMPLES);
    private static final Criterion P95 = new Criterion(Metric.SLOW_SHARE, 2_000L, WHISPER, CLIENT,
            Comparison.ABSOLUTE, Direction.BELOW, 0.05, SPAN, MIN_SAMPLES);
    private static final Criterion ERRORS = new Criterion(Metric.ERROR_RATE, null, WHISPER, CLIENT,
            Comparison.ABSOLUTE, Direction.BELOW, 0.01, SPAN, MIN_SAMPLES);
    private static final Criterion CACHE = new Criterion(Metric.CACHE_HIT_RATE, null, WHISPER, SERVER,
            Comparison.ABSOLUTE, Direction.ABOVE, 0.30, SPAN, MIN_SAMPLES);

    private final RolloutStore store;
    private final PhaseHistory phases;
    private final AuditLog audit;
    private final FleetSignals fleet;
    private final Clock clock;

    public MigrationReport(RolloutStore store, AuditLog audit, FleetSignals fleet, Clock clock) {
        this.store = store;
        this.phases = new PhaseHistory(store.jdbi());
        this.audit = audit;
        this.fleet = fleet;
        this.clock = clock;
    }

    /**
     * One success criterion measured. {@code value}, {@code lower}, {@code upper} and {@code threshold} are in the
     * criterion's own terms (availability as a share answered, 0.95 = 95 %; the others as in the plan's criteria; for
     * rollbacks the count); {@code detail} holds what helps to read it (the P95 in ms, the rollbacks).
     */
    record Measured(String name, String definition, String comparison, double threshold, Verdict verdict,
                    Double value, Double lower, Double upper, long samples, long minSamples,
                    Map<String, Object> detail) {
    }

    /** Sessions exposed to each provider during a stay (client reports). */
    record Exposures(long whisper, long webspeech) {
    }

    /** How a stay ended: the advance that left it, with every criterion's verdict at that moment. */
    record Exit(Instant at, String by, boolean forced, String reason, List<Map<String, Object>> criteria,
                List<String> unmet) {
    }

    /** A rollback during a stay. */
    record Rollback(Instant at, String by, String reason) {
    }

    /** One stay in a phase; {@code whisperPercent} is the current plan's for that phase. */
    record Stay(int phase, String name, BigDecimal whisperPercent, Instant enteredAt, Instant leftAt, long seconds,
                String enteredBy, boolean forced, String reason, Exposures exposures, List<Rollback> rollbacks,
                Exit exit) {
    }

    /**
     * The report.
     *
     * @param atFullSince when the rollout reached 100 % this time ({@code null} when it is not at 100 %)
     * @param from the start of the span judged (the last 7 days, clipped to the time at 100 %)
     * @param ready whether the migration is done: at 100 % for 7 days and every criterion PASS
     */
    record Report(Instant generatedAt, RolloutStatus status, String phase, BigDecimal whisperPercent,
                  Instant atFullSince, long secondsAtFull, Instant from, Instant to, List<Measured> criteria,
                  boolean ready, List<String> reasons, List<Stay> phases) {
    }

    Report report() {
        Instant now = clock.instant();
        RolloutState state = DatabaseFailures.translate(() -> store.jdbi().withHandle(store::find))
                .orElseThrow(() -> ApiError.unavailable("rollout_not_ready",
                        "The rollout is not initialised yet; retry in a few seconds."));
        List<PhaseHistory.Stay> stays = DatabaseFailures.translate(phases::all);
        List<AuditEvent> transitions = DatabaseFailures.translate(
                () -> audit.forTarget(RolloutService.TARGET, "rollout.", MAX_AUDIT_ROWS));
        Phase current = state.currentPhase();
        boolean atFull = current.whisperPercent().compareTo(FULL) == 0 && state.status() != RolloutStatus.ROLLED_BACK;
        Instant to = Signals.windowOf(now).plus(Signals.WINDOW);
        Instant weekAgo = to.minus(SPAN);
        Instant from = atFull && state.enteredAt().isAfter(weekAgo) ? state.enteredAt() : weekAgo;
        Duration atFullFor = atFull ? nonNegative(Duration.between(state.enteredAt(), now)) : Duration.ZERO;

        Map<String, WindowCounts> counts = DatabaseFailures.translate(() -> fleet.byProviderAndSource(from, to));
        List<Measured> criteria = new ArrayList<>();
        criteria.add(availability(counts));
        criteria.add(latency(counts));
        criteria.add(proportion("error rate < 1 %", "whisper's failures (fallbacks included) of its attempts, as "
                + "the browsers reported them", ERRORS, counts));
        criteria.add(rollbacks(state, stays, transitions, now));
        criteria.add(proportion("cache hit rate > 30 %", "the service's cache hits of its lookups", CACHE, counts));

        List<String> reasons = new ArrayList<>();
        if (!atFull) {
            reasons.add("not at 100 %: the rollout is " + state.status() + " at '" + current.name() + "' ("
                    + current.whisperPercent().toPlainString() + " %); the criteria are judged over the last 7 days");
        } else if (atFullFor.compareTo(SPAN) < 0) {
            reasons.add("at 100 % for " + readable(atFullFor) + " (since " + state.enteredAt()
                    + "), less than 7 days; the criteria are judged over that time");
        }
        for (Measured m : criteria) {
            if (m.verdict() != Verdict.PASS) {
                reasons.add(m.name() + ": " + m.verdict() + (m.minSamples() == 0
                        ? " (" + m.samples() + " rollback(s) in the last 7 days)"
                        : m.value() == null ? " (no samples, minimum " + m.minSamples() + ")"
                        : " (" + Figures.measured(m.value(), m.lower(), m.upper(), m.samples()) + ", minimum "
                        + m.minSamples() + ")"));
            }
        }
        return new Report(now, state.status(), current.name(), current.whisperPercent(),
                atFull ? state.enteredAt() : null, atFullFor.toSeconds(), from, to, List.copyOf(criteria),
                reasons.isEmpty(), List.copyOf(reasons), history(state, stays, transitions, now));
    }

    private static Measured availability(Map<String, WindowCounts> counts) {
        CriterionVerdict v = judge(AVAILABILITY, counts);
        boolean none = v.samples() == 0;
        // Judged as "server-side error rate below 5 %", shown as its complement.
        return new Measured("availability >= 95 %", "the share of the service's whisper requests it answered rather "
                + "than failed on its side (busy, no model loaded, engine error; the caller's mistakes excluded): "
                + "1 - the server-side error rate", "at least", 1 - AVAILABILITY.threshold(), v.verdict(),
                none ? null : 1 - v.value(), none ? null : 1 - v.upper(), none ? null : 1 - v.lower(), v.samples(),
                AVAILABILITY.minSamples(), Map.of());
    }

    private static Measured latency(Map<String, WindowCounts> counts) {
        Measured m = proportion("P95 < 2 s", "the share of whisper attempts slower than 2 s (client), below 5 % "
                + "when the 95th percentile is under 2 s", P95, counts);
        WindowCounts c = counts(counts, P95);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("p95Ms", c.latencyCount() == 0 ? null : c.latencyAtPercentile(95));
        return new Measured(m.name(), m.definition(), m.comparison(), m.threshold(), m.verdict(), m.value(), m.lower(),
                m.upper(), m.samples(), m.minSamples(), detail);
    }

    private static Measured proportion(String name, String definition, Criterion c, Map<String, WindowCounts> counts) {
        CriterionVerdict v = judge(c, counts);
        boolean none = v.samples() == 0; // no value rather than a rate of 0 out of nothing
        return new Measured(name, definition, c.direction() == Direction.BELOW ? "below" : "above", c.threshold(),
                v.verdict(), none ? null : v.value(), none ? null : v.lower(), none ? null : v.upper(), v.samples(),
                c.minSamples(), Map.of());
    }

    private static CriterionVerdict judge(Criterion c, Map<String, WindowCounts> counts) {
        Tally tally = Tally.of(c.metric(), c.latencyMs(), counts(counts, c));
        return CriterionCheck.judge(c, tally, Tally.NONE, FULL);
    }

    private static WindowCounts counts(Map<String, WindowCounts> counts, Criterion c) {
        return counts.getOrDefault(c.provider() + "/" + c.source(), new WindowCounts());
    }

    private static Measured rollbacks(RolloutState state, List<PhaseHistory.Stay> stays, List<AuditEvent> transitions,
                                      Instant now) {
        Instant weekAgo = now.minus(SPAN);
        List<Rollback> recent = transitions.stream()
                .filter(e -> e.action().equals(Transition.ROLLBACK.auditAction()) && !e.at().isBefore(weekAgo))
                .map(e -> new Rollback(e.at(), e.actor(), e.reason())).toList();
        Instant started = stays.isEmpty() ? now : stays.get(0).enteredAt();
        Verdict verdict = !recent.isEmpty() || state.status() == RolloutStatus.ROLLED_BACK ? Verdict.FAIL
                : started.isAfter(weekAgo) ? Verdict.INCONCLUSIVE : Verdict.PASS;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("rollbacks", recent);
        detail.put("rolledBackNow", state.status() == RolloutStatus.ROLLED_BACK);
        detail.put("rolloutStartedAt", started);
        return new Measured("no rollbacks for a week", "no rollout.rollback (by anyone, the guard included) in the "
                + "audit log over the last 7 days, and not rolled back now; INCONCLUSIVE while the rollout is younger "
                + "than 7 days", "at most", 0, verdict, (double) recent.size(), null, null, recent.size(), 0, detail);
    }

    private List<Stay> history(RolloutState state, List<PhaseHistory.Stay> stays, List<AuditEvent> transitions,
                               Instant now) {
        List<Stay> out = new ArrayList<>();
        for (PhaseHistory.Stay s : stays) {
            Instant end = s.leftAt() == null ? now : s.leftAt();
            Map<String, WindowCounts> counts = DatabaseFailures.translate(() -> fleet.byProviderAndSource(
                    Signals.windowOf(s.enteredAt()), end));
            Exposures exposures = new Exposures(exposures(counts, WHISPER), exposures(counts, WEBSPEECH));
            List<Rollback> rollbacks = transitions.stream()
                    .filter(e -> e.action().equals(Transition.ROLLBACK.auditAction()) && phaseOf(e.before()) == s.phase()
                            && !e.at().isBefore(s.enteredAt()) && (s.leftAt() == null || !e.at().isAfter(s.leftAt())))
                    .map(e -> new Rollback(e.at(), e.actor(), e.reason())).toList();
            BigDecimal percent = s.phase() < state.plan().phases().size()
                    ? state.plan().phase(s.phase()).whisperPercent() : null;
            out.add(new Stay(s.phase(), s.phaseName(), percent, s.enteredAt(), s.leftAt(),
                    nonNegative(Duration.between(s.enteredAt(), end)).toSeconds(), s.enteredBy(), s.forced(),
                    s.reason(), exposures, rollbacks, s.leftAt() == null ? null : exit(s, transitions)));
        }
        return List.copyOf(out);
    }

    private static long exposures(Map<String, WindowCounts> counts, String provider) {
        WindowCounts c = counts.get(provider + "/" + CLIENT);
        return c == null ? 0 : c.exposures();
    }

    /** The advance out of {@code s}: the last one from its phase between its entry and (a second after) its exit. */
    private static Exit exit(PhaseHistory.Stay s, List<AuditEvent> transitions) {
        Instant latest = s.leftAt().plusSeconds(1);
        AuditEvent found = null;
        for (AuditEvent e : transitions) {
            if (e.action().equals(Transition.ADVANCE.auditAction()) && phaseOf(e.before()) == s.phase()
                    && !e.at().isBefore(s.enteredAt()) && !e.at().isAfter(latest)) {
                found = e;
            }
        }
        if (found == null) {
            return null;
        }
        List<Map<String, Object>> criteria = new ArrayList<>();
        for (JsonNode j : found.after().path("criteria")) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("index", j.path("index").asInt());
            c.put("metric", j.at("/criterion/metric").asText());
            c.put("provider", j.at("/criterion/provider").asText());
            c.put("source", j.at("/criterion/source").asText());
            c.put("comparison", j.at("/criterion/comparison").asText());
            c.put("threshold", j.at("/criterion/threshold").asDouble());
            c.put("verdict", j.at("/verdict/verdict").asText());
            c.put("value", j.at("/verdict/value").asDouble());
            c.put("samples", j.at("/verdict/samples").asLong());
            criteria.add(c);
        }
        List<String> unmet = new ArrayList<>();
        found.after().path("unmet").forEach(u -> unmet.add(u.asText()));
        return new Exit(found.at(), found.actor(), found.after().path("forced").asBoolean(), found.reason(),
                List.copyOf(criteria), List.copyOf(unmet));
    }

    private static int phaseOf(JsonNode summary) {
        return summary == null ? -1 : summary.path("phase").asInt(-1);
    }

    /** "2 d 3 h 5 min": for people. */
    private static String readable(Duration d) {
        return (d.toDays() > 0 ? d.toDays() + " d " : "") + d.toHoursPart() + " h " + d.toMinutesPart() + " min";
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
