package dev.cutover.flags.ofrep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.cutover.flags.FlagSnapshots;
import dev.cutover.http.ApiError;
import dev.cutover.http.EdgeResponses;
import dev.cutover.http.JsonMapping;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP 0.3) over the rollout flag, so any OpenFeature client can ask for
 * the provider: {@code POST /ofrep/v1/evaluate/flags/{key}} (one flag) and {@code POST /ofrep/v1/evaluate/flags}
 * (every flag, with a strong ETag so {@code If-None-Match} gets a 304). Errors use the protocol's bodies and codes.
 * Thread-safe: it holds no per-request state.
 */
public final class OfrepRoutes {
    /** Public and browser-facing: evaluation and the event stream answer CORS. */
    public static final String PATHS = "/ofrep/*";
    static final String BULK_PATH = "/ofrep/v1/evaluate/flags";
    static final String SINGLE_PATH = "/ofrep/v1/evaluate/flags/{key}";
    private static final String JSON = "application/json";
    private static final List<HandlerType> NOT_ALLOWED =
            List.of(HandlerType.GET, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

    private final OfrepEvaluation evaluation;
    private final SnapshotVersionWaiter freshness;
    private final ObjectMapper json = JsonMapping.objectMapper();
    private final ObjectReader requestReader = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public OfrepRoutes(OfrepEvaluation evaluation, SnapshotVersionWaiter freshness) {
        this.evaluation = evaluation;
        this.freshness = freshness;
    }

    /**
     * A body the edge refused (too large, too slow, cut off) in OFREP's own shape: PARSE_ERROR for what could not be
     * read (400), GENERAL with the HTTP status kept for a body too large (413) or too slow (408).
     */
    public EdgeResponses.Answer edgeError(String path, ApiError error) {
        int status = error.status();
        String code = status == 400 ? OfrepError.PARSE_ERROR : "GENERAL";
        OfrepError ofrep = new OfrepError(status, code, error.getMessage());
        String prefix = BULK_PATH + "/";
        String key = path.startsWith(prefix) ? path.substring(prefix.length()) : null;
        Object body = key == null ? ofrep.bulkBody() : ofrep.bodyFor(key.length() > 256 ? key.substring(0, 256) + "…" : key);
        return EdgeResponses.Answer.json(status, body, error.headers());
    }

    public void register(JavalinConfig config) {
        config.routes.post(SINGLE_PATH, this::evaluateOne);
        config.routes.post(BULK_PATH, this::evaluateAll);
        for (String path : List.of(SINGLE_PATH, BULK_PATH)) {
            for (HandlerType method : NOT_ALLOWED) {
                config.routes.addHttpHandler(method, path, ctx -> {
                    throw new ApiError(405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()
                            + "; OFREP evaluations are POST with {\"context\": {...}}.", Map.of("Allow", "POST"));
                });
            }
        }
    }

    private void evaluateOne(Context ctx) {
        String key = ctx.pathParam("key");
        try {
            OfrepContext context = OfrepContext.fromRequestBody(ctx.bodyAsBytes(), requestReader);
            OfrepFlagEvaluation result = evaluation.evaluate(key, context).orElseThrow(() -> OfrepError.flagNotFound(key));
            writeJson(ctx, 200, result);
        } catch (OfrepError e) {
            writeJson(ctx, e.status(), e.bodyFor(key));
        }
    }

    private void evaluateAll(Context ctx) {
        OfrepContext context;
        try {
            context = OfrepContext.fromRequestBody(ctx.bodyAsBytes(), requestReader);
        } catch (OfrepError e) {
            writeJson(ctx, e.status(), e.bulkBody());
            return;
        }
        // A re-fetch prompted by the event stream names the version it was told about (flagConfigEtag): if this
        // instance has not loaded it yet, answer once it has (or after the waiter's limit) rather than with stale news.
        Optional<CompletableFuture<Void>> loaded = freshness.awaitVersion(OfrepConfigTag.versionOf(ctx.queryParam("flagConfigEtag")));
        if (loaded.isPresent()) {
            ctx.future(() -> loaded.get().thenRun(() -> answerBulk(ctx, context)));
        } else {
            answerBulk(ctx, context);
        }
    }

    private void answerBulk(Context ctx, OfrepContext context) {
        byte[] body = bytes(evaluation.evaluateAll(context));
        String etag = strongEtag(body);
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", "no-store");
        if (ETags.anyMatches(ctx.header("If-None-Match"), etag)) {
            ctx.status(304).contentType(JSON); // the representation's type, not Javalin's text/plain default
            return;
        }
        ctx.status(200).contentType(JSON).result(body);
    }

    private void writeJson(Context ctx, int status, Object body) {
        ctx.header("Cache-Control", "no-store");
        ctx.status(status).contentType(JSON).result(bytes(body));
    }

    private byte[] bytes(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("OFREP response could not be serialised", e);
        }
    }

    /** A strong ETag of the exact bytes sent: it changes whenever this context's answer or the flag version does. */
    static String strongEtag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** {@code If-None-Match} matching (RFC 9110 13.1.2): weak comparison, lists and {@code *}. */
    static final class ETags {
        private ETags() {
        }

        static boolean anyMatches(String ifNoneMatch, String etag) {
            if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
                return false;
            }
            String opaque = stripWeak(etag);
            for (String candidate : ifNoneMatch.split(",")) {
                String trimmed = candidate.trim();
                if (trimmed.equals("*") || stripWeak(trimmed).equals(opaque)) {
                    return true;
                }
            }
            return false;
        }

        private static String stripWeak(String tag) {
            return tag.startsWith("W/") ? tag.substring(2) : tag;
        }
    }
}
