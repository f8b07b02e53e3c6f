package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Drives the guard of running apps for the guard's tests: client events posted over HTTP, the shared clock moved one
 * guard interval at a time, and a wait (in real time, bounded) until some instance's guard has run at the new time.
 */
public final class GuardHarness {
    static final Duration INTERVAL = Duration.ofSeconds(15);
    private static final Duration RUN_WAIT = Duration.ofSeconds(20);

    private final TestClock clock;
    private final Duration interval;
    private final List<TestApp> apps;
    private int session;

    public GuardHarness(TestClock clock, TestApp... apps) {
        this(clock, INTERVAL, apps);
    }

    /** For apps started with {@code GUARD_INTERVAL} = {@code interval}. */
    GuardHarness(TestClock clock, Duration interval, TestApp... apps) {
        this.clock = clock;
        this.interval = interval;
        this.apps = new ArrayList<>(List.of(apps));
    }

    /** The app whose guard holds the lock now (its {@code /health} says so). */
    public TestApp guarding() {
        return Eventually.await(RUN_WAIT, "an instance guarding", () -> apps.stream()
                .filter(app -> json(app.get("/health")).at("/guard/guarding").asBoolean()).findFirst().orElse(null),
                app -> app != null);
    }

    public RolloutApi rollout() {
        return RolloutApi.of(apps.get(0));
    }

    TestClock clock() {
        return clock;
    }

    void forget(TestApp app) {
        apps.remove(app);
    }

    /** From baseline to canary (10 %), forced, as an engineer would to test the guard. */
    public void toCanary() {
        rollout().ok("advance", true);
        rollout().ok("advance", true);
        assertThat(rollout().state().at("/phase/name").asText()).isEqualTo("canary");
    }

    /** Posts {@code attempts} client attempts of {@code provider}, {@code errors} of them failed, spread over the apps. */
    public void attempts(String provider, int attempts, int errors, long latencyMs) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            boolean failed = i < errors;
            events.add("{\"type\":\"attempt\",\"sessionId\":\"g-" + (session++) + "\",\"provider\":\"" + provider
                    + "\",\"outcome\":\"" + (failed ? "error" : "ok") + "\",\"latencyMs\":" + latencyMs
                    + ",\"audioMs\":3000" + (failed ? ",\"errorCode\":\"network\"" : "") + "}");
        }
        post(events);
    }

    /** Posts split exposures: {@code whisper} sessions placed on whisper, {@code webspeech} on webspeech. */
    public void exposures(int whisper, int webspeech) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < whisper + webspeech; i++) {
            events.add("{\"type\":\"exposure\",\"sessionId\":\"x-" + (session++) + "\",\"provider\":\""
                    + (i < whisper ? "whisper" : "webspeech") + "\",\"reason\":\"SPLIT\"}");
        }
        post(events);
    }

    private void post(List<String> events) {
        for (int from = 0, batch = 0; from < events.size(); from += 100, batch++) {
            StringJoiner body = new StringJoiner(",", "{\"events\":[", "]}");
            events.subList(from, Math.min(events.size(), from + 100)).forEach(body::add);
            TestApp app = apps.get(batch % apps.size());
            HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri("/api/v1/events"))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Mozilla/5.0 Chrome/131.0 Safari/537.36")
                    .header("Accept-Language", "en-GB,en")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        }
    }

    /** Moves the clock one guard interval and returns the guard's evaluation at the new time, by whichever instance. */
    public JsonNode run() {
        clock.advance(interval);
        Instant at = clock.instant();
        return Eventually.await(RUN_WAIT, "a guard run at " + at, () -> latest(), e -> e != null
                && !Instant.parse(e.path("at").asText()).isBefore(at));
    }

    /**
     * Moves the clock one guard interval and waits for a guard run at the new time that need not leave an
     * evaluation (a rolled-back rollout has nothing to judge): seen in the guarding instance's {@code /health}.
     */
    public void idleRun() {
        clock.advance(interval);
        Instant at = clock.instant();
        Eventually.await(RUN_WAIT, "a guard run at " + at, () -> apps.stream().anyMatch(app -> {
            JsonNode part = json(app.get("/health")).path("guard");
            return part.path("guarding").asBoolean() && part.hasNonNull("lastRunAt")
                    && !Instant.parse(part.path("lastRunAt").asText()).isBefore(at);
        }));
    }

    /** Guard runs until {@code done} holds, at most {@code runs} of them; the evaluations on the way. */
    public List<JsonNode> runUntil(int runs, java.util.function.Predicate<JsonNode> done) {
        List<JsonNode> seen = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            JsonNode evaluation = run();
            seen.add(evaluation);
            if (done.test(evaluation)) {
                return seen;
            }
        }
        throw new AssertionError("not done within " + runs + " guard runs: " + seen);
    }

    public JsonNode latest() {
        HttpResponse<String> response = rollout().admin().get(RolloutApi.ROLLOUT + "/evaluations?limit=1&span=7d");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode page = json(response).path("evaluations");
        return page.isEmpty() ? null : page.get(0);
    }

    public List<JsonNode> evaluations(String query) {
        HttpResponse<String> response = rollout().admin().get(RolloutApi.ROLLOUT + "/evaluations?" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        json(response).path("evaluations").forEach(out::add);
        return out;
    }

    /** The verdict of the phase's rule over {@code metric} (the first such rule) in an evaluation or the view. */
    static JsonNode rule(JsonNode withRules, String metric, String comparison) {
        for (JsonNode rule : withRules.path("rules")) {
            if (rule.at("/rule/metric").asText().equals(metric)
                    && (comparison == null || rule.at("/rule/comparison").asText().equals(comparison))) {
                return rule;
            }
        }
        throw new AssertionError("no " + metric + " rule in " + withRules);
    }

    static String provider(TestApp app, String session) {
        return json(app.get("/api/v1/assignment?sessionId=" + session)).path("provider").asText();
    }
}
