package dev.cutover.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps every failure to the JSON error shape, so no client ever sees an HTML error page or a stack trace. */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    public static void install(JavalinConfig config) {
        config.routes.exception(ApiError.class, (e, ctx) -> write(ctx, e));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> write(ctx, e.getStatus() == 404
                ? noRoute(ctx) : new ApiError(e.getStatus(), codeFor(e.getStatus()), e.getMessage())));
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
            write(ctx, new ApiError(500, "internal_error", "Something went wrong on our side; it has been logged."));
        });
        config.routes.error(404, "*", ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                write(ctx, noRoute(ctx));
            }
        });
        config.routes.error(405, "*", ctx -> write(ctx, new ApiError(405, "method_not_allowed",
                ctx.method() + " is not allowed on " + ctx.path() + ".")));
    }

    private static ApiError noRoute(Context ctx) {
        String path = ctx.path().length() > 200 ? ctx.path().substring(0, 200) + "…" : ctx.path();
        return ApiError.notFound("not_found", "No route for " + ctx.method() + " " + path
                + "; the API reference is at /docs (/openapi.json).");
    }

    public static void write(Context ctx, ApiError error) {
        error.headers().forEach(ctx::header);
        ctx.status(error.status()).json(error.body());
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "unavailable" : "error";
        };
    }
}
