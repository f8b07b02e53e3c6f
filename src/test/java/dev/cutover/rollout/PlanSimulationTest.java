package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutover.http.ApiError;
import dev.cutover.http.JsonBody;
import dev.cutover.http.JsonMapping;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 6: {@code POST /api/v1/rollout/plan/simulate} over HTTP on real PostgreSQL gives exactly the figures
 * of {@link Simulator} for the scenarios of {@link GuardSimulationTest}, measures the fleet's traffic when none is
 * given, and refuses what it cannot or should not simulate.
 */
class PlanSimulationTest {
    private static final String SIMULATE = RolloutApi.ROLLOUT + "/plan/simulate";
    private static final ObjectMapper JSON = JsonMapping.objectMapper();
    private static final long SEED = 20_240_601L;
    private static final String CANARY_SCENARIO = "\"phase\": \"canary\", \"traffic\": {\"whisperAttemptsPerMinute\": "
            + "20, \"webspeechAttemptsPerMinute\": 180}, \"errorRates\": {\"whisper\": 0.005, \"webspeech\": 0.005}, "
            + "\"hours\": 48, \"runs\": 1000, \"seed\": " + SEED;

    @Test
    void theEndpointGivesExactlyTheSimulationTestsFiguresForTheHealthyAndTheBrokenCanary() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            JsonNode expectedHealthy = JSON.valueToTree(Simulator.simulate(GuardSimulationTest.CANARY,
                    GuardSimulationTest.scenario(0.005, 0.005)));
            JsonNode expectedBroken = JSON.valueToTree(Simulator.simulate(GuardSimulationTest.CANARY,
                    GuardSimulationTest.scenario(0.05, 0.005)));

            JsonNode current = simulate(rollout, "{" + CANARY_SCENARIO + "}");
            String plan = JSON.valueToTree(RolloutPlan.defaultPlan()).toString();
            JsonNode given = simulate(rollout, "{\"plan\": " + plan + ", " + CANARY_SCENARIO + "}");

            for (JsonNode answer : new JsonNode[] {current, given}) {
                assertThat(answer.at("/given/result")).isEqualTo(expectedHealthy);
                assertThat(answer.at("/broken/result")).isEqualTo(expectedBroken);
                assertThat(answer.at("/broken/errorRates/whisper").asDouble()).isEqualTo(0.05);
                assertThat(answer.at("/phase/name").asText()).isEqualTo("canary");
                assertThat(answer.at("/traffic/source").asText()).isEqualTo("given");
                assertThat(answer.path("runs").asInt()).isEqualTo(1000);
                assertThat(answer.path("hours").asDouble()).isEqualTo(48.0);
                assertThat(answer.path("seed").asLong()).isEqualTo(SEED);
                assertThat(answer.path("guardIntervalSeconds").asLong()).isEqualTo(15);
            }
            assertThat(current.path("plan").asText()).isEqualTo("current");
            assertThat(current.path("planVersion").asLong()).isEqualTo(1);
            assertThat(given.path("plan").asText()).isEqualTo("given");
            assertThat(current.path("summary").asText()).contains("canary", "20 whisper attempts", "0.5 %", "5 %");
            // The README's promise, checked here too: healthy canaries are not rolled back, broken ones fast.
            assertThat(current.at("/given/result/falseRollbackRate").asDouble()).isLessThanOrEqualTo(0.01);
            assertThat(current.at("/broken/result/p95MinutesToRollback").asDouble()).isLessThanOrEqualTo(20.0);
        }
    }

    @Test
    void withoutTrafficItSimulatesTheFleetsMeasuredAttemptsSplitAtThePhasesPercentage() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            HttpResponse<String> none = rollout.admin().post(SIMULATE, "");
            assertThat(none.statusCode()).as(none.body()).isEqualTo(400);
            assertThat(json(none).path("error").asText()).isEqualTo("no_measured_traffic");

            // 2,880 attempts in the last 24 h: 2 a minute, 720 of them on whisper (allowlisted developers).
            for (int batch = 0; batch < 2_880 / 96; batch++) {
                StringJoiner events = new StringJoiner(",");
                for (int i = 0; i < 96; i++) {
                    events.add(attempt("s-" + batch + "-" + i, i % 4 == 0 ? "whisper" : "webspeech"));
                }
                HttpResponse<String> posted = app.post("/api/v1/events", "{\"events\": [" + events + "]}");
                assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            }
            clock.advance(Duration.ofSeconds(20));
            JsonNode answer = json(Eventually.await(Duration.ofSeconds(10), "the events flushed and measured",
                    () -> rollout.admin().post(SIMULATE, "{\"phase\": \"canary\", \"runs\": 10, \"hours\": 1}"),
                    r -> r.statusCode() == 200 && json(r).at("/traffic/measuredWhisperAttemptsPerMinute").asDouble() > 0.49));

            JsonNode traffic = answer.path("traffic");
            assertThat(traffic.path("source").asText()).startsWith("measured over the last 24 h");
            assertThat(traffic.path("measuredWhisperAttemptsPerMinute").asDouble()).isCloseTo(0.5, within(1e-9));
            assertThat(traffic.path("measuredWebspeechAttemptsPerMinute").asDouble()).isCloseTo(1.5, within(1e-9));
            assertThat(traffic.path("whisperAttemptsPerMinute").asDouble()).isCloseTo(0.2, within(1e-9));
            assertThat(traffic.path("webspeechAttemptsPerMinute").asDouble()).isCloseTo(1.8, within(1e-9));
            assertThat(answer.at("/phase/index").asInt()).isEqualTo(2);
            assertThat(answer.at("/given/result/runs").asInt()).isEqualTo(10);

            JsonNode total = simulate(rollout, "{\"phase\": 3, \"traffic\": {\"attemptsPerMinute\": 200}, \"runs\": 5, "
                    + "\"hours\": 1}");
            assertThat(total.at("/phase/name").asText()).isEqualTo("25");
            assertThat(total.at("/traffic/whisperAttemptsPerMinute").asDouble()).isEqualTo(50.0);
            assertThat(total.at("/traffic/webspeechAttemptsPerMinute").asDouble()).isEqualTo(150.0);
        }
    }

    @Test
    void badInputsAreRefusedWith400NamingTheFieldAndWithoutTheAdminToken401() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            assertThat(app.post(SIMULATE, "{" + CANARY_SCENARIO + "}").statusCode()).isEqualTo(401);
            assertThat(app.send(dev.cutover.testing.HttpTestClient.postJson(app.uri(SIMULATE), "{}",
                    "Authorization", "Bearer wrong").build()).statusCode()).isEqualTo(401);

            ObjectNode invalidPlan = JSON.valueToTree(RolloutPlan.defaultPlan());
            ((ObjectNode) invalidPlan.path("phases").get(2).path("rules").get(0)).put("threshold", -1);
            String traffic = "\"traffic\": {\"whisperAttemptsPerMinute\": 20, \"webspeechAttemptsPerMinute\": 180}";
            String[][] cases = {
                    {"{\"errorRates\": {\"whisper\": -0.01}, " + traffic + "}", "invalid_error_rates_whisper"},
                    {"{\"errorRates\": {\"webspeech\": 1.5}, " + traffic + "}", "invalid_error_rates_webspeech"},
                    {"{\"brokenWhisperErrorRate\": 2, " + traffic + "}", "invalid_broken_whisper_error_rate"},
                    {"{\"runs\": 0, " + traffic + "}", "invalid_runs"},
                    {"{\"runs\": 1.5, " + traffic + "}", "invalid_runs"},
                    {"{\"runs\": 100001, " + traffic + "}", "invalid_runs"},
                    {"{\"runs\": 100000, \"phase\": \"canary\", " + traffic + "}", "invalid_simulation"},
                    {"{\"runs\": 8000, \"phase\": \"canary\", " + traffic + "}", "simulation_too_large"},
                    {"{\"hours\": 0, " + traffic + "}", "invalid_hours"},
                    {"{\"hours\": 721, " + traffic + "}", "invalid_hours"},
                    {"{\"hours\": 0.001, " + traffic + "}", "invalid_simulation"},
                    {"{\"seed\": \"x\", " + traffic + "}", "invalid_seed"},
                    {"{\"whisperReady\": 1, " + traffic + "}", "invalid_whisper_ready"},
                    {"{\"phase\": \"nope\", " + traffic + "}", "invalid_phase"},
                    {"{\"phase\": 7, " + traffic + "}", "invalid_phase"},
                    {"{\"phase\": -1, " + traffic + "}", "invalid_phase"},
                    {"{\"traffic\": {\"whisperAttemptsPerMinute\": -1, \"webspeechAttemptsPerMinute\": 1}}", "invalid_traffic"},
                    {"{\"traffic\": {\"whisperAttemptsPerMinute\": 20}}", "invalid_traffic"},
                    {"{\"traffic\": {\"attemptsPerMinute\": 1e9}}", "invalid_traffic"},
                    {"{\"traffic\": 20}", "invalid_traffic"},
                    {"{\"plan\": {\"phases\": []}, \"phase\": 0, " + traffic + "}", "invalid_plan"},
                    {"{\"plan\": " + invalidPlan + ", \"phase\": \"canary\", " + traffic + "}", "invalid_plan"},
                    {"{\"plan\": 3, " + traffic + "}", "invalid_plan"},
                    {"[1]", "malformed_json"},
            };
            for (String[] c : cases) {
                HttpResponse<String> response = rollout.admin().post(SIMULATE, c[0]);
                assertThat(response.statusCode()).as(c[0] + " -> " + response.body()).isEqualTo(400);
                assertThat(json(response).path("error").asText()).as(c[0] + " -> " + response.body()).isEqualTo(c[1]);
                assertThat(json(response).path("message").asText()).isNotBlank();
            }
            HttpResponse<String> plan = rollout.admin().post(SIMULATE, cases[21][0]);
            assertThat(json(plan).path("problems").toString()).contains("phases[2].rules[0].threshold");
        }
    }

    @Test
    void whenEverySimulationSlotIsTakenTheNextRequestIsRefusedBusyRatherThanQueued() throws InterruptedException {
        PlanSimulation simulation = new PlanSimulation(null, null, JSON, Clock.systemUTC(), Duration.ofSeconds(15));
        String plan = JSON.valueToTree(RolloutPlan.defaultPlan()).toString();
        SimulationRequest request = SimulationRequest.parse(JsonBody.parse("{\"plan\": " + plan + ", \"phase\": "
                + "\"canary\", \"traffic\": {\"attemptsPerMinute\": 200}, \"runs\": 2, \"hours\": 1}", "{}"));
        simulation.permits.acquire(PlanSimulation.MAX_CONCURRENT);
        try {
            assertThatThrownBy(() -> simulation.simulate(request)).isInstanceOfSatisfying(ApiError.class, e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.code()).isEqualTo("simulator_busy");
                assertThat(e.headers()).containsKey("Retry-After");
            });
        } finally {
            simulation.permits.release(PlanSimulation.MAX_CONCURRENT);
        }
        assertThat(simulation.simulate(request).given().result().runs()).isEqualTo(2);
        assertThat(simulation.permits.availablePermits()).isEqualTo(PlanSimulation.MAX_CONCURRENT);
    }

    private static JsonNode simulate(RolloutApi rollout, String body) {
        HttpResponse<String> response = rollout.admin().post(SIMULATE, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static String attempt(String session, String provider) {
        return "{\"type\":\"attempt\",\"sessionId\":\"" + session + "\",\"provider\":\"" + provider
                + "\",\"outcome\":\"ok\",\"latencyMs\":800,\"audioMs\":3000}";
    }
}
