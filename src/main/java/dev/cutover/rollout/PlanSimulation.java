package dev.cutover.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.db.DatabaseFailures;
import dev.cutover.http.ApiError;
import dev.cutover.signals.FleetSignals;
import dev.cutover.signals.SignalKey;
import dev.cutover.signals.Signals;
import dev.cutover.signals.WindowCounts;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /api/v1/rollout/plan/simulate}: a phase's alert rules run by {@link Simulator} — the code of
 * {@code GuardSimulationTest}, so the same scenario gives the same figures — on the traffic given or measured, so
 * that engineers can tune thresholds before they save a plan. Every answer holds two cases: the error rates given
 * (default 0.5 % for both, a healthy whisper: its rollbacks are false ones) and a broken whisper (5 % by default,
 * webspeech as given: how fast it is caught).
 *
 * <p>Measured traffic is the fleet's client-reported attempts a minute over the last 24 h, both providers together,
 * split at the simulated phase's percentage: the total is what the site carries whatever the phase, the split is
 * what the phase would give whisper.
 *
 * <p>Bounded: one request may ask for at most {@link #MAX_WORK} work units (guard runs, plus the binomial draws'
 * expected steps, over both cases; about 10 s of one core), and at most {@link #MAX_CONCURRENT} simulations run at
 * once (more: 503 {@code simulator_busy}). It runs on the request's thread; the bound keeps that short.
 *
 * <p>Thread-safe: the semaphore is the only shared state; each simulation has its own seeded generators.
 */
public final class PlanSimulation {
    static final int MAX_CONCURRENT = 2;
    static final long MAX_WORK = Scenario.MAX_STEPS;
    static final Duration MEASURED_SPAN = Duration.ofHours(24);
    static final String MEASURED = "measured over the last 24 h (client attempts, both providers), split at the "
            + "phase's percentage";
    static final String GIVEN = "given";
    static final String GIVEN_SPLIT = "given as a total, split at the phase's percentage";

    private final RolloutStore store;
    private final FleetSignals fleet;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration guardInterval;
    /** Package-private for the test that holds every permit. */
    final Semaphore permits = new Semaphore(MAX_CONCURRENT);

    public PlanSimulation(RolloutStore store, FleetSignals fleet, ObjectMapper json, Clock clock, Duration guardInterval) {
        this.store = store;
        this.fleet = fleet;
        this.json = json;
        this.clock = clock;
        this.guardInterval = guardInterval;
    }

    /** The simulated phase. */
    record PhaseSimulated(int index, String name, BigDecimal whisperPercent) {
    }

    /**
     * The traffic simulated, where it came from, and (when measured) the fleet's own attempts a minute per provider.
     */
    record TrafficSimulated(double whisperAttemptsPerMinute, double webspeechAttemptsPerMinute, String source,
                            Double measuredWhisperAttemptsPerMinute, Double measuredWebspeechAttemptsPerMinute) {
    }

    /** One case: its true error rates and what the simulator measured. */
    record Case(ErrorRates errorRates, SimulationResult result) {
    }

    /**
     * The answer: what was simulated and both cases.
     *
     * @param plan {@code current} (the stored plan, at {@code planVersion}) or {@code given}
     * @param given the error rates given (default: healthy, 0.5 % both)
     * @param broken whisper at the broken error rate, webspeech as given
     * @param summary one sentence for people: the false-rollback rate of {@code given}, the time to rollback of
     *     {@code broken}
     */
    record Report(String plan, Long planVersion, PhaseSimulated phase, TrafficSimulated traffic, boolean whisperReady,
                  double hours, int runs, long seed, long guardIntervalSeconds, Case given, Case broken,
                  String summary) {
    }

    Report simulate(SimulationRequest request) {
        RolloutState state = needsState(request) ? state() : null;
        RolloutPlan plan = request.plan() == null ? state.plan() : RolloutService.parsePlan(json, request.plan());
        int index = phaseIndex(request.phase(), plan, state);
        Phase phase = plan.phase(index);
        TrafficSimulated traffic = traffic(request.traffic(), phase.whisperPercent());
        Scenario given = scenario(request, traffic, request.errorRates());
        Scenario broken = scenario(request, traffic,
                new ErrorRates(request.brokenWhisperErrorRate(), request.errorRates().webspeech()));
        double work = work(given) + work(broken);
        if (work > MAX_WORK) {
            throw ApiError.badRequest("simulation_too_large", String.format(Locale.ROOT, "This simulation is about "
                    + "%.3g work units (runs × guard runs per run × attempts drawn, both cases); the limit is %d. Ask "
                    + "for fewer runs, fewer hours or less traffic.", work, MAX_WORK));
        }
        if (!permits.tryAcquire()) {
            throw ApiError.unavailable("simulator_busy", MAX_CONCURRENT + " simulations are running; retry in a few "
                    + "seconds.", 5);
        }
        SimulationResult givenResult;
        SimulationResult brokenResult;
        try {
            givenResult = Simulator.simulate(phase, given);
            brokenResult = Simulator.simulate(phase, broken);
        } finally {
            permits.release();
        }
        Case givenCase = new Case(given.errorRates(), givenResult);
        Case brokenCase = new Case(broken.errorRates(), brokenResult);
        return new Report(request.plan() == null ? "current" : "given",
                request.plan() == null ? state.planVersion() : null,
                new PhaseSimulated(index, phase.name(), phase.whisperPercent()), traffic, request.whisperReady(),
                request.length().toMillis() / 3_600_000.0, request.runs(), request.seed(), guardInterval.toSeconds(),
                givenCase, brokenCase, summary(phase, traffic, request, givenCase, brokenCase));
    }

    private static boolean needsState(SimulationRequest request) {
        return request.plan() == null || request.phase() == null;
    }

    private RolloutState state() {
        return DatabaseFailures.translate(() -> store.jdbi().withHandle(store::find)).orElseThrow(() ->
                ApiError.unavailable("rollout_not_ready", "The rollout is not initialised yet; retry in a few seconds."));
    }

    private static int phaseIndex(JsonNode phase, RolloutPlan plan, RolloutState state) {
        List<String> names = plan.phases().stream().map(Phase::name).toList();
        if (phase == null) {
            if (state.phase() >= names.size()) {
                throw ApiError.badRequest("invalid_phase", "The rollout is at phase " + state.phase() + ", which this "
                        + "plan does not have: name one of " + names + ".");
            }
            return state.phase();
        }
        int index = phase.isTextual() ? plan.indexOf(phase.textValue()) : phase.intValue();
        if (index < 0 || index >= names.size()) {
            throw ApiError.badRequest("invalid_phase", "phase " + phase + " is not in the plan: name one of " + names
                    + " or give its index (0 to " + (names.size() - 1) + ").");
        }
        return index;
    }

    private TrafficSimulated traffic(SimulationRequest.TrafficRequest given, BigDecimal whisperPercent) {
        if (given != null) {
            Traffic t = given.at(whisperPercent);
            return new TrafficSimulated(t.whisperAttemptsPerMinute(), t.webspeechAttemptsPerMinute(),
                    given.total() != null ? GIVEN_SPLIT : GIVEN, null, null);
        }
        Instant to = Signals.windowOf(clock.instant()).plus(Signals.WINDOW);
        Map<String, WindowCounts> counts = DatabaseFailures.translate(
                () -> fleet.byProviderAndSource(to.minus(MEASURED_SPAN), to));
        double minutes = MEASURED_SPAN.toMinutes();
        double whisper = attempts(counts, SignalKey.WHISPER) / minutes;
        double webspeech = attempts(counts, SignalKey.WEBSPEECH) / minutes;
        if (whisper + webspeech == 0) {
            throw ApiError.badRequest("no_measured_traffic", "No client attempts were measured over the last 24 h, "
                    + "so there is no traffic to simulate: give it, e.g. \"traffic\": {\"whisperAttemptsPerMinute\": "
                    + "20, \"webspeechAttemptsPerMinute\": 180}.");
        }
        Traffic split = Traffic.split(whisper + webspeech, whisperPercent);
        return new TrafficSimulated(split.whisperAttemptsPerMinute(), split.webspeechAttemptsPerMinute(), MEASURED,
                whisper, webspeech);
    }

    private static long attempts(Map<String, WindowCounts> counts, String provider) {
        WindowCounts c = counts.get(provider + "/" + SignalKey.CLIENT);
        return c == null ? 0 : c.attempts();
    }

    private Scenario scenario(SimulationRequest request, TrafficSimulated traffic, ErrorRates rates) {
        try {
            return new Scenario(new Traffic(traffic.whisperAttemptsPerMinute(), traffic.webspeechAttemptsPerMinute()),
                    rates, request.whisperReady(), request.length(), request.runs(), request.seed(), guardInterval);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("invalid_simulation", e.getMessage() + ".");
        }
    }

    /**
     * Expected work: per guard run one step, plus the inversion steps of both binomial draws (about n·min(p, 1 − p))
     * and their splits (one per 1,000 attempts).
     */
    static double work(Scenario s) {
        double minutes = s.guardInterval().toNanos() / 60e9;
        double whisper = s.traffic().whisperAttemptsPerMinute() * minutes;
        double webspeech = s.traffic().webspeechAttemptsPerMinute() * minutes;
        double perRun = 1 + whisper * Math.min(s.errorRates().whisper(), 1 - s.errorRates().whisper())
                + webspeech * Math.min(s.errorRates().webspeech(), 1 - s.errorRates().webspeech())
                + (whisper + webspeech) / 1_000;
        return perRun * s.steps() * s.runs();
    }

    private static String summary(Phase phase, TrafficSimulated traffic, SimulationRequest request, Case given,
                                  Case broken) {
        SimulationResult g = given.result();
        SimulationResult b = broken.result();
        String caught = b.rolledBack() == 0 ? "never rolls back a whisper at " + percent(broken.errorRates().whisper())
                + " errors"
                : String.format(Locale.ROOT, "rolls back a whisper at %s errors in %s of runs, after %.1f min "
                        + "(median) and %.1f min (95th percentile)", percent(broken.errorRates().whisper()),
                        percent(b.rollbackRate()), b.medianMinutesToRollback(), b.p95MinutesToRollback());
        return String.format(Locale.ROOT, "At %s whisper attempts a minute, phase '%s' wrongly rolls back %s of "
                        + "%d %s-hour phases with whisper at %s errors (webspeech %s)%s, and %s.",
                trim(traffic.whisperAttemptsPerMinute()), phase.name(), percent(g.falseRollbackRate()), g.runs(),
                trim(request.length().toMillis() / 3_600_000.0), percent(given.errorRates().whisper()),
                percent(given.errorRates().webspeech()), request.whisperReady() ? "" : " and no model loaded", caught);
    }

    private static String percent(double fraction) {
        return trim(100 * fraction) + " %";
    }

    private static String trim(double value) {
        return BigDecimal.valueOf(value).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }
}
