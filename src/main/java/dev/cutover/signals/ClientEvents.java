package dev.cutover.signals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.http.ApiError;
import dev.cutover.http.JsonBody;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A batch of browser events ({@code POST /api/v1/events}) checked whole before anything is counted: one bad event
 * refuses the batch with 400 naming its index and field. Every value is checked against a fixed set or range, so
 * what a client sends cannot grow the signal keys or poison a histogram. Stateless.
 */
public final class ClientEvents {
    public static final int MAX_EVENTS = 100;
    static final int MAX_ID_CHARS = 256;
    static final long MAX_MS = 3_600_000;
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Set<String> REASONS = Set.of("SPLIT", "ALLOWLIST", "DENYLIST", "ROLLED_BACK", "DEFAULT");
    private static final Map<String, Observation.Outcome> OUTCOMES = Map.of(
            "ok", Observation.Outcome.OK, "error", Observation.Outcome.FAILURE, "empty", Observation.Outcome.EMPTY,
            "no_speech", Observation.Outcome.NO_SPEECH, "aborted", Observation.Outcome.ABORTED,
            "fallback", Observation.Outcome.FALLBACK);
    private static final String EXAMPLE = "{\"batchId\": \"b-1\", \"events\": [{\"type\": \"attempt\", \"sessionId\": \"s-1\", "
            + "\"provider\": \"whisper\", \"outcome\": \"ok\", \"latencyMs\": 840, \"audioMs\": 3000}]}";

    private ClientEvents() {
    }

    /** A valid batch: its id (for deduplication) and what it adds to the windows. */
    public record Batch(Optional<String> batchId, List<Observation> observations) {
    }

    /**
     * Parses and checks a batch. {@code userAgent} and {@code acceptLanguage} give the cohort of events that do not
     * name their own browser or language.
     */
    public static Batch parse(byte[] body, Instant receivedAt, String userAgent, String acceptLanguage) {
        JsonBody root = JsonBody.parse(body, EXAMPLE);
        Optional<String> batchId = root.optionalText("batchId");
        batchId.ifPresent(id -> checkId("batchId", id, -1));
        JsonNode events = root.node("events").orElseThrow(() -> ApiError.badRequest("missing_events",
                "events is required: a JSON array of at most " + MAX_EVENTS + " events, e.g. " + EXAMPLE));
        if (!events.isArray()) {
            throw ApiError.badRequest("invalid_events", "events must be a JSON array.");
        }
        if (events.size() > MAX_EVENTS) {
            throw new ApiError(413, "too_many_events", "A batch holds at most " + MAX_EVENTS + " events; this one has "
                    + events.size() + ". Send the rest in another batch.");
        }
        List<Observation> observations = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            observations.add(event(events.get(i), i, receivedAt, userAgent, acceptLanguage));
        }
        return new Batch(batchId, observations);
    }

    private static Observation event(JsonNode event, int index, Instant at, String userAgent, String acceptLanguage) {
        if (!event.isObject()) {
            throw invalid(index, "", "each event must be a JSON object");
        }
        String type = enumText(event, index, "type", Set.of("attempt", "exposure"));
        String sessionId = text(event, index, "sessionId", true).orElseThrow();
        checkId("sessionId", sessionId, index);
        String provider = enumText(event, index, "provider", SignalKey.PROVIDERS);
        String browser = text(event, index, "browser", false).orElse(userAgent);
        String language = text(event, index, "language", false).orElse(acceptLanguage);
        SignalKey key = SignalKey.of(provider, SignalKey.CLIENT, browser, language);
        if (type.equals("exposure")) {
            String reason = enumText(event, index, "reason", REASONS);
            return Observation.exposure(at, key, reason.equals("SPLIT"));
        }
        Observation.Outcome outcome = OUTCOMES.get(enumText(event, index, "outcome", OUTCOMES.keySet()));
        if (outcome == Observation.Outcome.FALLBACK && !provider.equals(SignalKey.WHISPER)) {
            throw invalid(index, "outcome", "a fallback is whisper failing over to webspeech: its provider is whisper");
        }
        long latencyMs = millis(event, index, "latencyMs");
        long audioMs = millis(event, index, "audioMs");
        Optional<String> errorCode = text(event, index, "errorCode", false);
        if (errorCode.isPresent() && !ERROR_CODE.matcher(errorCode.get()).matches()) {
            throw invalid(index, "errorCode", "errorCode is 1-64 characters of letters, digits, _ . : -");
        }
        boolean failed = outcome == Observation.Outcome.FAILURE || outcome == Observation.Outcome.FALLBACK;
        return new Observation(at, key, outcome, failed ? errorCode : Optional.empty(), latencyMs, audioMs, 0,
                Optional.empty());
    }

    private static long millis(JsonNode event, int index, String field) {
        JsonNode node = event.get(field);
        if (node == null || node.isNull()) {
            throw invalid(index, field, field + " is required (milliseconds, 0 to " + MAX_MS + ")");
        }
        if (!node.isNumber()) {
            throw invalid(index, field, field + " must be a number of milliseconds");
        }
        double value = node.doubleValue();
        if (!Double.isFinite(value) || value < 0 || value > MAX_MS) {
            throw invalid(index, field, field + " must be between 0 and " + MAX_MS + " (an hour)");
        }
        return Math.round(value);
    }

    private static String enumText(JsonNode event, int index, String field, Set<String> allowed) {
        String value = text(event, index, field, true).orElseThrow();
        if (!allowed.contains(value)) {
            throw invalid(index, field, field + " must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
        return value;
    }

    private static Optional<String> text(JsonNode event, int index, String field, boolean required) {
        JsonNode node = event.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw invalid(index, field, field + " is required");
            }
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw invalid(index, field, field + " must be a string");
        }
        String value = node.textValue();
        if (JsonBody.unpairedSurrogate(value) >= 0) {
            throw invalid(index, field, field + " holds a lone UTF-16 surrogate");
        }
        if (value.length() > MAX_ID_CHARS && value.codePointCount(0, value.length()) > MAX_ID_CHARS) {
            throw invalid(index, field, field + " is longer than " + MAX_ID_CHARS + " characters");
        }
        return Optional.of(value);
    }

    private static void checkId(String field, String id, int index) {
        if (id.isEmpty() || (id.length() > MAX_ID_CHARS && id.codePointCount(0, id.length()) > MAX_ID_CHARS)) {
            throw index < 0
                    ? ApiError.badRequest("invalid_batch_id", "batchId is 1 to " + MAX_ID_CHARS + " characters.")
                    : invalid(index, field, field + " is 1 to " + MAX_ID_CHARS + " characters");
        }
        if (JsonBody.unpairedSurrogate(id) >= 0) {
            throw index < 0 ? ApiError.badRequest("invalid_batch_id", "batchId holds a lone UTF-16 surrogate.")
                    : invalid(index, field, field + " holds a lone UTF-16 surrogate");
        }
    }

    private static ApiError invalid(int index, String field, String what) {
        return new ApiError(400, "invalid_event", "events[" + index + "]" + (field.isEmpty() ? "" : "." + field) + ": "
                + what + "; nothing of this batch was counted.", Map.of(), Map.of("index", index, "field", field));
    }
}
