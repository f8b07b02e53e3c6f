package dev.cutover.flags;

import dev.cutover.audit.AuditLog;
import dev.cutover.http.AdminAuth;
import dev.cutover.http.ApiError;
import dev.cutover.http.JsonBody;
import dev.cutover.http.QueryParams;
import dev.cutover.http.Responses;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The admin API of the flag: read it, manage its overrides, read the audit trail. Its percentage and status are the
 * rollout's ({@code /api/v1/rollout}): a PATCH of them is refused with 409 {@code managed_by_rollout}. Every route
 * needs the admin token; the token's name is the audit actor.
 */
public final class FlagAdminRoutes {
    static final String FLAG_PATH = "/api/v1/flags/{key}";
    /** Everything under these paths needs the admin token, checked by the edge from the headers first. */
    public static final String FLAGS_PATHS = "/api/v1/flags/*";
    public static final String AUDIT_PATH = "/api/v1/audit";
    private static final int DEFAULT_AUDIT_PAGE = 50;

    private final FlagAdminService service;
    private final AdminAuth auth;

    public FlagAdminRoutes(FlagAdminService service, AdminAuth auth) {
        this.service = service;
        this.auth = auth;
    }

    public void register(JavalinConfig config) {
        config.routes.get(FLAG_PATH, this::getFlag);
        config.routes.patch(FLAG_PATH, this::patchFlag);
        config.routes.get(FLAG_PATH + "/overrides", this::listOverrides);
        config.routes.post(FLAG_PATH + "/overrides", this::addOverride);
        config.routes.delete(FLAG_PATH + "/overrides/{id}", this::removeOverride);
        config.routes.get(AUDIT_PATH, this::audit);
    }

    private void getFlag(Context ctx) {
        auth.authenticate(ctx);
        FlagState flag = service.flag(ctx.pathParam("key"));
        Responses.noStore(ctx, flag.version()).json(flag);
    }

    /** Always refused (409 managed_by_rollout, or 400 nothing_to_change): see {@link FlagAdminService#patchRefusal}. */
    private void patchFlag(Context ctx) {
        auth.authenticate(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(), "{\"expectedVersion\": 3, \"reason\": \"canary unhealthy\"} "
                + "to POST /api/v1/rollout/rollback (the flag's percentage and status are the rollout's)");
        throw service.patchRefusal(ctx.pathParam("key"), body.node("percentage").isPresent(),
                body.node("status").isPresent());
    }

    private void listOverrides(Context ctx) {
        auth.authenticate(ctx);
        OverridesView overrides = service.overrides(ctx.pathParam("key"));
        Responses.noStore(ctx, overrides.version()).json(overrides);
    }

    private void addOverride(Context ctx) {
        String actor = auth.authenticate(ctx);
        JsonBody body = JsonBody.parse(ctx.bodyAsBytes(),
                "{\"list\": \"allow\", \"subject\": \"user\", \"id\": \"dev-42\", \"note\": \"QA laptop\"}");
        NewOverride request = new NewOverride(
                body.requiredText("list", "allow or deny."),
                body.requiredText("subject", "user or session."),
                body.requiredText("id", "the userId or sessionId to override."),
                body.optionalText("note").orElse(""),
                body.optionalText("reason"));
        OverrideChange change = service.addOverride(ctx.pathParam("key"), actor, request);
        Responses.noStore(ctx, change.version()).status(201).json(change);
    }

    private void removeOverride(Context ctx) {
        String actor = auth.authenticate(ctx);
        long id = parseOverrideId(ctx.pathParam("id"));
        OverrideChange change = service.removeOverride(ctx.pathParam("key"), actor, id,
                QueryParams.of(ctx.queryString()).text("reason"));
        Responses.noStore(ctx, change.version()).json(change);
    }

    private void audit(Context ctx) {
        auth.authenticate(ctx);
        // Read from the raw query string: ctx.queryParam decodes leniently, so limit=%zz would pass as absent.
        QueryParams query = QueryParams.of(ctx.queryString());
        int limit = query.positiveNumber("limit").map(l -> (int) Math.min(l, AuditLog.MAX_PAGE))
                .orElse(DEFAULT_AUDIT_PAGE);
        Optional<Long> before = query.positiveNumber("before");
        Responses.noStore(ctx).json(service.audit(limit, before, query.text("action"), query.text("actor")));
    }

    private static long parseOverrideId(String text) {
        // ASCII digits only: Long.parseLong would also read "+1" or "١" (Arabic-Indic one) as override 1.
        OptionalLong id = QueryParams.positiveWholeNumber(text);
        if (id.isPresent()) {
            return id.getAsLong();
        }
        throw ApiError.notFound("override_not_found", "Override ids are positive whole numbers; '"
                + FlagAdminService.abbreviate(text) + "' is not one.");
    }
}
