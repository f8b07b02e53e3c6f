package dev.cutover.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.http.ApiError;
import dev.cutover.http.JsonBody;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@code POST /api/v1/rollout/plan/simulate} asks, every field checked (400 naming it) and defaulted. Plan and
 * phase stay JSON until {@link PlanSimulation} knows whether it needs the stored rollout. Immutable.
 *
 * @param plan the plan to simulate ({@code null}: the stored one)
 * @param phase a phase name or index ({@code null}: the rollout's current phase)
 * @param traffic attempts a minute ({@code null}: the fleet's, measured over the last 24 h)
 * @param errorRates the true error rates of the first case (default 0.5 % for both: a healthy whisper)
 * @param brokenWhisperErrorRate whisper's error rate in the second case, webspeech's as in {@code errorRates}
 */
record SimulationRequest(JsonNode plan, JsonNode phase, TrafficRequest traffic, ErrorRates errorRates,
                         double brokenWhisperErrorRate, boolean whisperReady, Duration length, int runs, long seed) {
    static final ErrorRates HEALTHY = new ErrorRates(0.005, 0.005);
    static final double BROKEN_WHISPER = 0.05;
    static final int DEFAULT_RUNS = Scenario.DEFAULT_RUNS;
    static final BigDecimal MAX_HOURS = BigDecimal.valueOf(30 * 24);
    /** Per provider; beyond this a binomial draw walks too far for a request. */
    static final double MAX_ATTEMPTS_PER_MINUTE = 100_000;
    static final String EXAMPLE = "{\"phase\": \"canary\", \"traffic\": {\"whisperAttemptsPerMinute\": 20, "
            + "\"webspeechAttemptsPerMinute\": 180}, \"errorRates\": {\"whisper\": 0.005, \"webspeech\": 0.005}, "
            + "\"hours\": 48, \"runs\": 1000, \"seed\": 1}";

    /**
     * Attempts a minute as given: both providers' ({@code whisper}, {@code webspeech}), or a {@code total} to split at
     * the simulated phase's percentage. Immutable.
     */
    record TrafficRequest(Double whisper, Double webspeech, Double total) {
        Traffic at(BigDecimal whisperPercent) {
            return total != null ? Traffic.split(total, whisperPercent) : new Traffic(whisper, webspeech);
        }
    }

    static SimulationRequest parse(JsonBody body) {
        JsonNode plan = body.node("plan").orElse(null);
        JsonNode phase = body.node("phase").map(SimulationRequest::phase).orElse(null);
        TrafficRequest traffic = body.node("traffic").map(SimulationRequest::traffic).orElse(null);
        ErrorRates rates = body.node("errorRates").map(SimulationRequest::errorRates).orElse(HEALTHY);
        double broken = body.node("brokenWhisperErrorRate")
                .map(node -> fraction(node, "brokenWhisperErrorRate")).orElse(BROKEN_WHISPER);
        boolean ready = body.node("whisperReady").map(node -> {
            if (!node.isBoolean()) {
                throw invalid("whisperReady", "whisperReady must be true or false.");
            }
            return node.booleanValue();
        }).orElse(true);
        BigDecimal hours = body.optionalDecimal("hours").orElse(BigDecimal.valueOf(Scenario.DEFAULT_LENGTH.toHours()));
        if (hours.signum() <= 0 || hours.compareTo(MAX_HOURS) > 0) {
            throw invalid("hours", "hours must be above 0 and at most " + MAX_HOURS + " (30 days), got "
                    + hours.toPlainString() + ".");
        }
        Duration length = Duration.ofMillis(hours.multiply(BigDecimal.valueOf(3_600_000)).longValue());
        int runs = (int) whole(body, "runs", DEFAULT_RUNS, 1, Scenario.MAX_RUNS);
        long seed = whole(body, "seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        return new SimulationRequest(plan, phase, traffic, rates, broken, ready, length, runs, seed);
    }

    private static JsonNode phase(JsonNode node) {
        if (!node.isTextual() && !(node.isIntegralNumber() && node.canConvertToInt() && node.intValue() >= 0)) {
            throw invalid("phase", "phase must be a phase's name (\"canary\") or its index (2).");
        }
        return node;
    }

    private static TrafficRequest traffic(JsonNode node) {
        if (!node.isObject()) {
            throw invalid("traffic", "traffic must be an object: {\"whisperAttemptsPerMinute\": 20, "
                    + "\"webspeechAttemptsPerMinute\": 180} or {\"attemptsPerMinute\": 200} (split at the phase's "
                    + "percentage).");
        }
        Optional<Double> whisper = optional(node, "whisperAttemptsPerMinute").map(n -> attempts(n, "whisperAttemptsPerMinute"));
        Optional<Double> webspeech = optional(node, "webspeechAttemptsPerMinute")
                .map(n -> attempts(n, "webspeechAttemptsPerMinute"));
        Optional<Double> total = optional(node, "attemptsPerMinute").map(n -> attempts(n, "attemptsPerMinute"));
        if (total.isPresent() == (whisper.isPresent() || webspeech.isPresent())
                || whisper.isPresent() != webspeech.isPresent()) {
            throw invalid("traffic", "traffic takes either both whisperAttemptsPerMinute and "
                    + "webspeechAttemptsPerMinute, or attemptsPerMinute alone (split at the phase's percentage).");
        }
        return new TrafficRequest(whisper.orElse(null), webspeech.orElse(null), total.orElse(null));
    }

    private static ErrorRates errorRates(JsonNode node) {
        if (!node.isObject()) {
            throw invalid("errorRates", "errorRates must be an object: {\"whisper\": 0.005, \"webspeech\": 0.005}.");
        }
        double whisper = optional(node, "whisper").map(n -> fraction(n, "errorRates.whisper")).orElse(HEALTHY.whisper());
        double webspeech = optional(node, "webspeech").map(n -> fraction(n, "errorRates.webspeech"))
                .orElse(HEALTHY.webspeech());
        return new ErrorRates(whisper, webspeech);
    }

    private static Optional<JsonNode> optional(JsonNode object, String name) {
        JsonNode node = object.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    private static double fraction(JsonNode node, String name) {
        if (!node.isNumber() || node.doubleValue() < 0 || node.doubleValue() > 1) {
            throw invalid(name, name + " must be a fraction from 0 to 1 (0.005 is 0.5 %), got " + node + ".");
        }
        return node.doubleValue();
    }

    private static double attempts(JsonNode node, String name) {
        if (!node.isNumber() || node.doubleValue() < 0 || node.doubleValue() > MAX_ATTEMPTS_PER_MINUTE) {
            throw invalid("traffic", "traffic." + name + " must be a number of attempts a minute from 0 to "
                    + (long) MAX_ATTEMPTS_PER_MINUTE + ", got " + node + ".");
        }
        return node.doubleValue();
    }

    private static long whole(JsonBody body, String name, long otherwise, long min, long max) {
        return body.node(name).map(node -> {
            if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
                throw invalid(name, name + " must be a whole number from " + min + " to " + max + ", got " + node + ".");
            }
            return node.longValue();
        }).orElse(otherwise);
    }

    private static ApiError invalid(String field, String message) {
        String code = "invalid_" + field.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toLowerCase();
        return ApiError.badRequest(code, message + " For example " + EXAMPLE + ".");
    }
}
