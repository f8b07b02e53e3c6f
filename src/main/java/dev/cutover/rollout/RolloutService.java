package dev.cutover.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.audit.AuditLog;
import dev.cutover.db.DatabaseFailures;
import dev.cutover.flags.FlagAdminService;
import dev.cutover.flags.FlagState;
import dev.cutover.flags.FlagStatus;
import dev.cutover.http.ApiError;
import dev.cutover.signals.FleetSignals;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;

/**
 * The rollout's state machine and plan, the one writer of the flag's percentage and status. Each write is one
 * transaction: lock the rollout row, check {@code expectedVersion}, write the new state, project it onto the flag
 * (which NOTIFYs every instance), append exactly one audit row and queue one notification; a failure anywhere leaves
 * nothing behind. Thread-safe: stateless but for the seeded flag, and every write serialised by the row lock.
 */
public final class RolloutService {
    static final int MAX_REASON = 1_000;
    static final String TARGET = "rollout";
    /** The span of the fleet's signals recorded with every transition. */
    static final Duration SIGNALS_SNAPSHOT = Duration.ofMinutes(5);

    private final RolloutStore store;
    private final FlagAdminService flags;
    private final AuditLog audit;
    private final AdvanceReadiness readiness;
    private final FleetSignals fleet;
    private final GuardStore guardStore;
    private final Duration guardInterval;
    private final ObjectMapper json;
    private final Clock clock;
    private final AtomicBoolean seeded = new AtomicBoolean();

    public RolloutService(RolloutStore store, FlagAdminService flags, AuditLog audit,
                          FleetSignals fleet, ObjectMapper json, Clock clock, Duration guardInterval) {
        this.guardInterval = guardInterval;
        this.store = store;
        this.flags = flags;
        this.audit = audit;
        this.readiness = new AdvanceReadiness(fleet, clock);
        this.fleet = fleet;
        this.guardStore = new GuardStore(store.jdbi(), json);
        this.json = json;
        this.clock = clock;
    }

    /** Creates the rollout row with the default plan unless it exists (at start; again lazily if PostgreSQL was down). */
    public void seed() {
        if (!seeded.get()) {
            store.jdbi().useTransaction(handle -> store.seed(handle, RolloutPlan.defaultPlan(), clock.instant()));
            seeded.set(true);
        }
    }

    RolloutView view() {
        RolloutState state = read(store::find);
        AdvanceReadiness.Readiness r = DatabaseFailures.translate(() -> readiness.of(state));
        List<String> reasons = new ArrayList<>(blockers(state));
        reasons.addAll(r.unmet());
        Phase phase = state.currentPhase();
        Optional<GuardStore.Saved> guard = DatabaseFailures.translate(guardStore::load);
        return new RolloutView(state.plan(), state.planVersion(), state.status(), state.version(),
                new RolloutView.PhaseView(state.phase(), phase.name(), phase.whisperPercent(), phase.manual(),
                        state.atLastPhase()),
                state.rolledBackFrom(), state.enteredAt(), r.secondsInPhase(), r.minimumSoakSeconds(), r.soakElapsed(),
                r.criteria(), rules(state, guard), guardView(state, guard), reasons.isEmpty(), List.copyOf(reasons),
                state.updatedAt());
    }

    /** The rules with the verdicts of the guard's last run in this judging epoch (NO_DATA before its first). */
    private static List<JudgedRule> rules(RolloutState state, Optional<GuardStore.Saved> guard) {
        if (guard.isPresent() && guard.get().memory().belongsTo(state)) {
            return guard.get().verdicts();
        }
        Phase phase = state.currentPhase();
        List<JudgedRule> out = new ArrayList<>();
        for (int i = 0; i < phase.rules().size(); i++) {
            AlertRule rule = phase.rules().get(i);
            out.add(new JudgedRule(i, rule, RuleDetector.start(rule, phase.whisperPercent()).verdict(), false));
        }
        return List.copyOf(out);
    }

    private RolloutView.GuardView guardView(RolloutState state, Optional<GuardStore.Saved> guard) {
        return new RolloutView.GuardView(guardInterval.toSeconds(), state.judgedSince(),
                guard.map(g -> g.memory().lastRunAt()).orElse(null), guard.map(GuardStore.Saved::instanceId).orElse(null));
    }

    /** The rollout's state as stored. */
    RolloutState current() {
        return read(store::find);
    }

    /** The current phase's soak and success criteria, judged now. */
    AdvanceReadiness.Readiness readiness(RolloutState state) {
        return readiness.of(state);
    }

    GuardStore guardStore() {
        return guardStore;
    }

    /** What a guard run did: nothing to act on, acted, or a transition refused because the rollout moved first. */
    static final List<String> OUTCOMES = List.of("ok", "notify", "pause", "rollback", "advance", "refused");

    /** The guard's evaluations of the last {@code span}, newest first, with the id to page on. */
    record Evaluations(List<GuardStore.Evaluation> evaluations, Long next) {
    }

    Evaluations evaluations(Duration span, Optional<String> outcome, int limit, long before) {
        Instant now = clock.instant();
        List<GuardStore.Evaluation> page = DatabaseFailures.translate(() ->
                guardStore.evaluations(now.minus(span), now.plusSeconds(1), before, outcome, limit));
        Long next = page.size() == limit ? page.get(page.size() - 1).id() : null;
        return new Evaluations(page, next);
    }

    /** The plan as stored, with the version a PUT must name. */
    record PlanView(RolloutPlan plan, long planVersion) {
    }

    PlanView plan() {
        RolloutState state = read(store::find);
        return new PlanView(state.plan(), state.planVersion());
    }

    /**
     * Replaces the plan after validating it whole (400 {@code invalid_plan} with every problem). When the current
     * phase's percentage changes, the flag moves in the same transaction.
     */
    PlanView replacePlan(String actor, JsonNode planJson, long expectedPlanVersion, Optional<String> reason) {
        RolloutPlan plan = parsePlan(json, planJson);
        Optional<String> validReason = reason.map(RolloutService::validReason);
        RolloutState after = write(handle -> {
            RolloutState before = store.lock(handle).orElseThrow(RolloutService::missing);
            if (before.planVersion() != expectedPlanVersion) {
                throw ApiError.versionConflict("rollout plan", expectedPlanVersion, before.planVersion());
            }
            if (plan.phases().size() <= before.phase()) {
                throw invalidPlan(List.of("phases: the rollout is at phase " + before.phase() + " ('"
                        + before.currentPhase().name() + "'); the plan must keep at least " + (before.phase() + 1)
                        + " phases (roll back first to start over)"));
            }
            RolloutState next = store.updatePlan(handle, plan, expectedPlanVersion, clock.instant())
                    .orElseThrow(() -> ApiError.versionConflict("rollout plan", expectedPlanVersion, before.planVersion()));
            boolean moves = before.flagPercentage().compareTo(next.flagPercentage()) != 0;
            if (moves) {
                flags.projectRollout(handle, next.flagPercentage(), flagStatus(next.status()));
            }
            Map<String, Object> was = new LinkedHashMap<>();
            was.put("planVersion", before.planVersion());
            was.put("plan", before.plan());
            Map<String, Object> now = new LinkedHashMap<>();
            now.put("planVersion", next.planVersion());
            now.put("plan", next.plan());
            now.put("flagPercentage", next.flagPercentage());
            audit.append(handle, actor, "rollout.plan", TARGET, was, now, validReason);
            return next;
        });
        return new PlanView(after.plan(), after.planVersion());
    }

    /** One step of the state machine, asked by an engineer; see the class comment for what commits with it. */
    RolloutView transition(String actor, Transition transition, TransitionRequest request) {
        apply(actor, transition, request, Map.of());
        return view();
    }

    /**
     * One step of the state machine, by an engineer, the guard or autopilot alike. The audit row holds the state
     * before and after, the reason, {@code evidence} (the guard's verdicts) and the fleet's signals of the last
     * 5 minutes as they were at that moment.
     */
    RolloutState apply(String actor, Transition transition, TransitionRequest request, Map<String, Object> evidence) {
        String reason = validReason(request.reason());
        if (request.force() && transition != Transition.ADVANCE) {
            throw ApiError.badRequest("invalid_force", "force applies to advance only.");
        }
        FleetSignals.View signals = DatabaseFailures.translate(() -> fleet.view(SIGNALS_SNAPSHOT, null));
        return write(handle -> {
            RolloutState before = store.lock(handle).orElseThrow(RolloutService::missing);
            if (before.version() != request.expectedVersion()) {
                throw ApiError.versionConflict("rollout", request.expectedVersion(), before.version());
            }
            Instant now = clock.instant();
            Map<String, Object> found = new LinkedHashMap<>(evidence);
            RolloutState next = next(transition, before, request, now, found);
            RolloutState after = store.updateState(handle, next, before.version(), now)
                    .orElseThrow(() -> ApiError.versionConflict("rollout", request.expectedVersion(), before.version()));
            if (after.phase() != before.phase()) {
                store.closePhase(handle, now);
                store.openPhase(handle, after.phase(), after.currentPhase().name(), now, actor, request.force(), reason);
            }
            FlagState flag = flags.projectRollout(handle, after.flagPercentage(), flagStatus(after.status()));
            Map<String, Object> audited = summary(after);
            audited.put("flagVersion", flag.version());
            audited.put("forced", request.force());
            audited.putAll(found);
            audited.put("signals", signals);
            audit.append(handle, actor, transition.auditAction(), TARGET, summary(before), audited, Optional.of(reason));
            store.enqueue(handle, "rollout:" + after.version(), transition.auditAction(),
                    notification(actor, transition, before, after, reason, request.force()), now);
            return after;
        });
    }

    private RolloutState next(Transition transition, RolloutState s, TransitionRequest request, Instant now,
                              Map<String, Object> evidence) {
        return switch (transition) {
            case ADVANCE -> {
                requireStatus(s, transition, RolloutStatus.ACTIVE);
                if (s.atLastPhase()) {
                    throw ApiError.conflict("no_next_phase", "'" + s.currentPhase().name() + "' is the last phase; "
                            + "finish the rollout with POST /api/v1/rollout/complete.");
                }
                AdvanceReadiness.Readiness r = readiness.of(s);
                evidence.put("criteria", r.criteria());
                evidence.put("unmet", r.unmet());
                if (!r.canAdvance() && !request.force()) {
                    throw new ApiError(409, "criteria_not_met", "Phase '" + s.currentPhase().name()
                            + "' may not advance yet: " + String.join("; ", r.unmet())
                            + ". Wait, or send force: true with a reason.", Map.of(), Map.of("unmet", r.unmet()));
                }
                yield s.with(RolloutStatus.ACTIVE, s.phase() + 1, null, now, now);
            }
            case PAUSE -> {
                requireStatus(s, transition, RolloutStatus.ACTIVE);
                yield s.with(RolloutStatus.PAUSED, s.phase(), s.rolledBackFrom(), s.enteredAt(), s.judgedSince());
            }
            case RESUME -> {
                requireStatus(s, transition, RolloutStatus.PAUSED, RolloutStatus.ROLLED_BACK);
                if (s.status() == RolloutStatus.PAUSED) {
                    yield s.with(RolloutStatus.ACTIVE, s.phase(), null, s.enteredAt(), now);
                }
                int back = s.rolledBackFrom() == null ? s.phase() : s.rolledBackFrom();
                // Back at the phase that was rolled back, paused: an engineer decides when traffic resumes growing.
                yield s.with(RolloutStatus.PAUSED, back, null, now, now);
            }
            case ROLLBACK -> {
                requireStatus(s, transition, RolloutStatus.ACTIVE, RolloutStatus.PAUSED);
                yield s.with(RolloutStatus.ROLLED_BACK, s.phase(), s.phase(), s.enteredAt(), s.judgedSince());
            }
            case COMPLETE -> {
                requireStatus(s, transition, RolloutStatus.ACTIVE, RolloutStatus.PAUSED);
                if (!s.atLastPhase()) {
                    throw ApiError.conflict("not_last_phase", "Only the last phase ('"
                            + s.plan().phase(s.plan().phases().size() - 1).name() + "') can be completed; the rollout "
                            + "is at '" + s.currentPhase().name() + "'.");
                }
                yield s.with(RolloutStatus.COMPLETED, s.phase(), null, s.enteredAt(), s.judgedSince());
            }
        };
    }

    /** Why no transition to the next phase can happen in this status, whatever the signals say. */
    private static List<String> blockers(RolloutState s) {
        if (s.status() != RolloutStatus.ACTIVE) {
            return List.of("status: the rollout is " + s.status() + "; advance needs ACTIVE");
        }
        if (s.atLastPhase()) {
            return List.of("phase: '" + s.currentPhase().name() + "' is the last phase; complete it instead");
        }
        return List.of();
    }

    private static void requireStatus(RolloutState s, Transition t, RolloutStatus... allowed) {
        for (RolloutStatus status : allowed) {
            if (s.status() == status) {
                return;
            }
        }
        List<String> names = new ArrayList<>();
        for (RolloutStatus status : allowed) {
            names.add(status.name());
        }
        throw ApiError.conflict("invalid_transition", "Cannot " + t.key() + " a rollout that is " + s.status()
                + "; " + t.key() + " needs " + String.join(" or ", names) + ".");
    }

    private static FlagStatus flagStatus(RolloutStatus status) {
        return switch (status) {
            case ACTIVE, COMPLETED -> FlagStatus.ACTIVE;
            case PAUSED -> FlagStatus.PAUSED;
            case ROLLED_BACK -> FlagStatus.ROLLED_BACK;
        };
    }

    private static Map<String, Object> summary(RolloutState s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", s.status());
        out.put("phase", s.phase());
        out.put("phaseName", s.currentPhase().name());
        out.put("whisperPercent", s.flagPercentage());
        out.put("rolledBackFrom", s.rolledBackFrom());
        out.put("enteredAt", s.enteredAt());
        out.put("version", s.version());
        out.put("planVersion", s.planVersion());
        return out;
    }

    private static Map<String, Object> notification(String actor, Transition t, RolloutState before,
                                                    RolloutState after, String reason, boolean forced) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text", "Cutover rollout: " + actor + " ran " + t.key() + (forced ? " (forced)" : "") + ": '"
                + before.currentPhase().name() + "' " + before.status() + " -> '" + after.currentPhase().name() + "' "
                + after.status() + " (whisper " + after.flagPercentage().toPlainString() + " %). Reason: " + reason);
        out.put("action", t.auditAction());
        out.put("actor", actor);
        out.put("reason", reason);
        out.put("forced", forced);
        out.put("before", summary(before));
        out.put("after", summary(after));
        return out;
    }

    static RolloutPlan parsePlan(ObjectMapper json, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw invalidPlan(List.of("plan: missing; send {\"expectedVersion\": 1, \"plan\": {\"phases\": [...]}}"));
        }
        RolloutPlan plan;
        try {
            plan = json.treeToValue(node, RolloutPlan.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw invalidPlan(List.of("plan: " + message));
        }
        List<String> problems = PlanValidation.problems(plan);
        if (!problems.isEmpty()) {
            throw invalidPlan(problems);
        }
        return normalized(plan);
    }

    /** The plan with every percentage in hundredths (0.00 to 100.00), however it was written ("1E+1", "0e-99"). */
    private static RolloutPlan normalized(RolloutPlan plan) {
        List<Phase> phases = new ArrayList<>();
        for (Phase p : plan.phases()) {
            BigDecimal percent = p.whisperPercent().signum() == 0 ? BigDecimal.ZERO.setScale(2)
                    : p.whisperPercent().stripTrailingZeros().setScale(2);
            phases.add(new Phase(p.name(), percent, p.minimumSoak(), p.manual(), p.criteria(), p.rules()));
        }
        return new RolloutPlan(phases, plan.autopilot());
    }

    private static ApiError invalidPlan(List<String> problems) {
        return new ApiError(400, "invalid_plan", "The plan was not saved: " + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + ", listed in problems. Fix them all and send it again.",
                Map.of(), Map.of("problems", problems));
    }

    static String validReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw ApiError.badRequest("missing_reason", "reason is required: say why, e.g. "
                    + "{\"expectedVersion\": 3, \"reason\": \"canary healthy for 24 h\"}.");
        }
        if (reason.length() > MAX_REASON && reason.codePointCount(0, reason.length()) > MAX_REASON) {
            throw ApiError.badRequest("reason_too_long", "reason is limited to " + MAX_REASON + " characters.");
        }
        if (reason.indexOf('\0') >= 0) {
            throw ApiError.badRequest("invalid_reason", "reason must not contain NUL characters.");
        }
        return reason;
    }

    private static ApiError missing() {
        return new ApiError(503, "rollout_not_ready", "The rollout is not initialised yet; retry in a few seconds.");
    }

    private RolloutState read(Function<Handle, Optional<RolloutState>> query) {
        return DatabaseFailures.translate(() -> {
            seed();
            return store.jdbi().withHandle(handle -> query.apply(handle).orElseThrow(RolloutService::missing));
        });
    }

    private <T> T write(HandleCallback<T, RuntimeException> work) {
        return DatabaseFailures.translate(() -> {
            seed();
            return store.jdbi().inTransaction(work);
        });
    }
}
