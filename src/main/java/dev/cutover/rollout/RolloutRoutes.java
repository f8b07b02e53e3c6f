package dev.cutover.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.config.Durations;
import dev.cutover.http.AdminAuth;
import dev.cutover.http.ApiError;
import dev.cutover.http.JsonBody;
import dev.cutover.http.QueryParams;
import dev.cutover.http.Responses;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;

/**
 * The rollout's admin API, every route in one place; all need the admin token, whose name is the audit actor.
 * {@code GET /api/v1/rollout}, {@code GET|PUT /api/v1/rollout/plan}, {@code POST /api/v1/rollout/{advance|pause|
 * resume|rollback|complete}}, {@code GET /api/v1/rollout/evaluations}, {@code POST /api/v1/rollout/plan/simulate}
 * and {@code GET /api/v1/rollout/report}.
 */
public final class RolloutRoutes {
    public static final String PATH = "/api/v1/rollout";
    /** Everything under this needs the admin token, checked by the edge from the headers first. */
    public static final String PATHS = PATH + "/*";
    static final String PLAN_PATH = PATH + "/plan";
    static final String EVALUATIONS_PATH = PATH + "/evaluations";
    static final int DEFAULT_EVALUATIONS = 100;
    static final int MAX_EVALUATIONS = 1_000;
    private static final String TRANSITION_EXAMPLE = "{\"expectedVersion\": 3, \"reason\": \"canary healthy for 24 h\"}";
    static final String SIMULATE_PATH = PLAN_PATH + "/simulate";
    static final String REPORT_PATH = PATH + "/report";
    private static final String PLAN_EXAMPLE = "{\"expectedVersion\": 1, \"plan\": {\"phases\": [...], \"autopilot\": false}}";

    private final RolloutService service;
    private final AdminAuth auth;
    private final PlanSimulation simulation;
    private final MigrationReport report;

    public RolloutRoutes(RolloutService service, AdminAuth auth, PlanSimulation simulation, MigrationReport report) {
        this.service = service;
        this.auth = auth;
        this.simulation = simulation;
        this.report = report;
    }

    public void register(JavalinConfig config) {
        config.routes.get(PATH, this::getRollout);
        config.routes.get(PLAN_PATH, this::getPlan);
        config.routes.put(PLAN_PATH, this::putPlan);
        config.routes.get(EVALUATIONS_PATH, this::getEvaluations);
        config.routes.post(SIMULATE_PATH, this::simulate);
        config.routes.get(REPORT_PATH, this::report);
        for (Transition transition : Transition.values()) {
            config.routes.post(PATH + "/" + transition.key(), ctx -> transition(ctx, transition));
        }
    }

    private void getRollout(Context ctx) {
        auth.authenticate(ctx);
        RolloutView view = service.view();
        Responses.noStore(ctx, view.version()).json(view);
    }

    private void getPlan(Context ctx) {
        auth.authenticate(ctx);
        RolloutService.PlanView plan = service.plan();
        Responses.noStore(ctx, plan.planVersion()).json(plan);
    }

    private void putPlan(Context ctx) {
        String actor = auth.authenticate(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), PLAN_EXAMPLE);
        long expectedVersion = body.requiredLong("expectedVersion");
        JsonNode plan = body.node("plan").orElse(null);
        RolloutService.PlanView saved = service.replacePlan(actor, plan, expectedVersion, body.optionalText("reason"));
        Responses.noStore(ctx, saved.planVersion()).json(saved);
    }

    /** {@code ?span=24h&outcome=rollback&limit=100&before=<id>}: the guard's runs, newest first, kept 7 days. */
    private void getEvaluations(Context ctx) {
        auth.authenticate(ctx);
        QueryParams query = QueryParams.of(ctx.queryString());
        Duration span = span(query.text("span").orElse("24h"));
        Optional<String> outcome = query.text("outcome").map(o -> {
            if (!RolloutService.OUTCOMES.contains(o)) {
                throw ApiError.badRequest("invalid_outcome", "outcome is one of " + String.join(", ",
                        RolloutService.OUTCOMES) + ".");
            }
            return o;
        });
        int limit = query.positiveNumber("limit").map(l -> (int) Math.min(l, MAX_EVALUATIONS))
                .orElse(DEFAULT_EVALUATIONS);
        long before = query.positiveNumber("before").orElse(Long.MAX_VALUE);
        Responses.noStore(ctx).json(service.evaluations(span, outcome, limit, before));
    }

    private static Duration span(String text) {
        Duration value;
        try {
            value = text.length() > 12 ? null : Durations.parse(text);
        } catch (IllegalArgumentException e) {
            value = null;
        }
        if (value == null || value.isNegative() || value.isZero() || value.compareTo(Guard.KEEP_EVALUATIONS) > 0) {
            throw ApiError.badRequest("invalid_span", "span is a duration such as 15m, 24h or 7d, at most 7d "
                    + "(evaluations are kept 7 days).");
        }
        return value;
    }

    private void simulate(Context ctx) {
        auth.authenticate(ctx);
        byte[] bytes = ctx.bodyAsBytes();
        JsonBody body = bytes.length == 0 ? JsonBody.parse("{}", SimulationRequest.EXAMPLE)
                : JsonBody.parse(bytes, SimulationRequest.EXAMPLE);
        Responses.noStore(ctx).json(simulation.simulate(SimulationRequest.parse(body)));
    }

    private void report(Context ctx) {
        auth.authenticate(ctx);
        Responses.noStore(ctx).json(report.report());
    }

    private void transition(Context ctx, Transition transition) {
        String actor = auth.authenticate(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), TRANSITION_EXAMPLE);
        long expectedVersion = body.requiredLong("expectedVersion");
        String reason = body.requiredText("reason", "say why, e.g. " + TRANSITION_EXAMPLE + ".");
        boolean force = body.node("force").map(node -> {
            if (!node.isBoolean()) {
                throw ApiError.badRequest("invalid_force", "force must be true or false.");
            }
            return node.booleanValue();
        }).orElse(false);
        RolloutView view = service.transition(actor, transition, new TransitionRequest(expectedVersion, reason, force));
        Responses.noStore(ctx, view.version()).json(view);
    }
}
