package dev.cutover.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.http.JsonMapping;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutPlanTest {
    private static final ObjectMapper JSON = JsonMapping.objectMapper();
    private static final RolloutPlan PLAN = RolloutPlan.defaultPlan();

    @Test
    void theDefaultPlanHasTheRunbooksPhases() {
        assertThat(PLAN.phases())
                .extracting(Phase::name, p -> p.whisperPercent().intValue(), Phase::minimumSoak, Phase::manual)
                .containsExactly(
                        tuple("baseline", 0, Duration.ofHours(24), false),
                        tuple("developer-testing", 0, Duration.ofHours(48), false),
                        tuple("canary", 10, Duration.ofHours(24), false),
                        tuple("25", 25, Duration.ofHours(48), false),
                        tuple("50", 50, Duration.ofHours(48), false),
                        tuple("75", 75, Duration.ofHours(72), false),
                        tuple("full", 100, Duration.ofDays(7), true));
        assertThat(PLAN.autopilot()).isFalse();
    }

    @Test
    void theDefaultPlanIsValid() {
        assertThat(PlanValidation.problems(PLAN)).isEmpty();
    }

    @Test
    void canaryCriteriaAreTheRunbooks() {
        Phase canary = PLAN.phase(PLAN.indexOf("canary"));

        assertThat(canary.criteria())
                .extracting(Criterion::metric, Criterion::latencyMs, Criterion::comparison, Criterion::direction,
                        Criterion::threshold)
                .containsExactly(
                        tuple(Metric.ERROR_RATE, null, Comparison.ABSOLUTE, Direction.BELOW, 0.01),
                        tuple(Metric.ERROR_RATE, null, Comparison.RELATIVE_TO_WEBSPEECH, Direction.BELOW, 0.005),
                        tuple(Metric.SLOW_SHARE, 2_000L, Comparison.ABSOLUTE, Direction.BELOW, 0.05),
                        tuple(Metric.RTF, null, Comparison.ABSOLUTE, Direction.BELOW, 0.1),
                        tuple(Metric.CACHE_HIT_RATE, null, Comparison.ABSOLUTE, Direction.ABOVE, 0.10),
                        tuple(Metric.EXPOSURES, null, Comparison.ABSOLUTE, Direction.ABOVE, 500.0),
                        tuple(Metric.SRM, null, Comparison.ABSOLUTE, Direction.ABOVE, 0.001));
        assertThat(canary.criteria()).allSatisfy(c -> assertThat(c.provider()).isEqualTo("whisper"));
    }

    @Test
    void canaryRulesAreTheRunbooks() {
        Phase canary = PLAN.phase(PLAN.indexOf("canary"));

        assertThat(canary.rules())
                .extracting(AlertRule::metric, AlertRule::comparison, AlertRule::direction, AlertRule::threshold,
                        AlertRule::window, AlertRule::action)
                .containsExactly(
                        tuple(Metric.ERROR_RATE, Comparison.ABSOLUTE, Direction.ABOVE, 0.01, Duration.ofMinutes(5),
                                Action.ROLLBACK),
                        tuple(Metric.ERROR_RATE, Comparison.RELATIVE_TO_WEBSPEECH, Direction.ABOVE, 0.005,
                                Duration.ofHours(1), Action.ROLLBACK),
                        tuple(Metric.SLOW_SHARE, Comparison.ABSOLUTE, Direction.ABOVE, 0.05, Duration.ofMinutes(5),
                                Action.PAUSE),
                        tuple(Metric.WHISPER_READY, Comparison.ABSOLUTE, Direction.ABOVE, 3.0, Duration.ofMinutes(1),
                                Action.ROLLBACK),
                        tuple(Metric.CACHE_HIT_RATE, Comparison.ABSOLUTE, Direction.BELOW, 0.10, Duration.ofHours(1),
                                Action.NOTIFY),
                        tuple(Metric.SRM, Comparison.ABSOLUTE, Direction.BELOW, 0.001, Duration.ofHours(1),
                                Action.NOTIFY));
        assertThat(canary.rules().get(2).latencyMs()).isEqualTo(5_000L);
    }

    @Test
    void developerTestingWantsFiftyAttemptsAndAThirtyPercentCacheHitRateButNoSampleRatio() {
        Phase developers = PLAN.phase(PLAN.indexOf("developer-testing"));

        assertThat(developers.criteria()).anySatisfy(c -> {
            assertThat(c.metric()).isEqualTo(Metric.ATTEMPTS);
            assertThat(c.threshold()).isEqualTo(50.0);
        });
        assertThat(developers.criteria()).anySatisfy(c -> {
            assertThat(c.metric()).isEqualTo(Metric.CACHE_HIT_RATE);
            assertThat(c.threshold()).isEqualTo(0.30);
        });
        assertThat(developers.criteria()).noneMatch(c -> c.metric() == Metric.SRM || c.metric() == Metric.EXPOSURES);
        assertThat(developers.rules()).noneMatch(r -> r.metric() == Metric.SRM);
    }

    @Test
    void atFullNothingIsComparedWithWebspeechThatHasNoSplitTrafficLeft() {
        Phase full = PLAN.phase(PLAN.indexOf("full"));

        assertThat(full.criteria()).noneMatch(Criterion::relative).noneMatch(c -> c.metric() == Metric.SRM);
        assertThat(full.rules()).noneMatch(AlertRule::relative).noneMatch(r -> r.metric() == Metric.SRM);
        assertThat(full.criteria()).allSatisfy(c -> assertThat(c.window()).isEqualTo(Duration.ofDays(7)));
    }

    @Test
    void thePlanRoundTripsThroughJson() throws Exception {
        String text = JSON.writeValueAsString(PLAN);

        assertThat(JSON.readValue(text, RolloutPlan.class)).isEqualTo(PLAN);
    }

    @Test
    void jsonNamesMetricsInLowerSnakeCaseEnumsInUpperCaseAndDurationsAsPeopleWriteThem() throws Exception {
        JsonNode canary = JSON.readTree(JSON.writeValueAsString(PLAN)).get("phases").get(2);
        JsonNode rule = canary.get("rules").get(0);

        assertThat(canary.get("minimumSoak").asText()).isEqualTo("24h");
        assertThat(canary.get("whisperPercent").decimalValue()).isEqualByComparingTo("10");
        assertThat(rule.get("metric").asText()).isEqualTo("error_rate");
        assertThat(rule.get("comparison").asText()).isEqualTo("ABSOLUTE");
        assertThat(rule.get("direction").asText()).isEqualTo("ABOVE");
        assertThat(rule.get("action").asText()).isEqualTo("ROLLBACK");
        assertThat(rule.get("window").asText()).isEqualTo("5m");
        assertThat(canary.get("rules").get(2).get("latencyMs").asLong()).isEqualTo(5_000);
        JsonNode full = JSON.readTree(JSON.writeValueAsString(PLAN)).get("phases").get(6);
        assertThat(full.get("minimumSoak").asText()).isEqualTo("7d");
        assertThat(JSON.readTree(JSON.writeValueAsString(PLAN)).get("phases").get(5).get("minimumSoak").asText())
                .isEqualTo("72h");
    }

    @Test
    void durationsAreReadInEveryUsualForm() throws Exception {
        String rule = "{\"metric\":\"error_rate\",\"provider\":\"whisper\",\"source\":\"client\",\"comparison\":"
                + "\"ABSOLUTE\",\"direction\":\"ABOVE\",\"threshold\":0.01,\"window\":%s,\"minSamples\":50,"
                + "\"action\":\"ROLLBACK\"}";

        assertThat(JSON.readValue(rule.formatted("\"5m\""), AlertRule.class).window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(JSON.readValue(rule.formatted("\"PT5M\""), AlertRule.class).window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(JSON.readValue(rule.formatted("300"), AlertRule.class).window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(JSON.readValue(rule.formatted("\"500ms\""), AlertRule.class).window()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void unknownNamesReadAsMissingSoThatValidationListsThemAllAtOnce() throws Exception {
        String text = """
                {"phases": [{"name": "canary", "whisperPercent": 10, "minimumSoak": "24h", "manual": false,
                  "criteria": [],
                  "rules": [{"metric": "p99", "provider": "whisper", "source": "client", "comparison": "SIDEWAYS",
                             "direction": "up", "threshold": 0.01, "window": "5m", "minSamples": 50,
                             "action": "PANIC"}]}]}
                """;

        List<String> problems = PlanValidation.problems(JSON.readValue(text, RolloutPlan.class));

        assertThat(problems).hasSize(4);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("phases[0].rules[0].metric:").contains("error_rate"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("phases[0].rules[0].comparison:"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("phases[0].rules[0].direction:"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("phases[0].rules[0].action:"));
    }

    @Test
    void validationListsEveryProblemWithItsPath() {
        AlertRule good = PLAN.phase(2).rules().get(0);
        List<AlertRule> rules = List.of(
                new AlertRule(Metric.ERROR_RATE, null, "whisper", "client", Comparison.ABSOLUTE, Direction.ABOVE, 1.5,
                        Duration.ofSeconds(5), -1, Action.ROLLBACK),
                new AlertRule(Metric.SLOW_SHARE, null, "whisper", "client", Comparison.ABSOLUTE, Direction.ABOVE, 0.05,
                        Duration.ofMinutes(5), 50, Action.PAUSE),
                new AlertRule(Metric.RTF, null, "whisper", "server", Comparison.ABSOLUTE, Direction.ABOVE, 0.1,
                        Duration.ofMinutes(5), 50, Action.PAUSE),
                new AlertRule(Metric.ERROR_RATE, null, "whisper", "server", Comparison.RELATIVE_TO_WEBSPEECH,
                        Direction.ABOVE, 0.005, Duration.ofHours(1), 50, Action.ROLLBACK),
                new AlertRule(Metric.ERROR_RATE, null, "browser", "edge", Comparison.ABSOLUTE, Direction.ABOVE, 0.01,
                        Duration.ofMinutes(5), 50, null),
                good);
        List<Criterion> criteria = List.of(
                new Criterion(Metric.WHISPER_READY, null, "whisper", "server", Comparison.ABSOLUTE, Direction.ABOVE, 3,
                        Duration.ofHours(1), 0),
                new Criterion(Metric.EXPOSURES, null, "whisper", "client", Comparison.ABSOLUTE, Direction.ABOVE, 2.5,
                        Duration.ofHours(1), 0));
        List<Phase> phases = new ArrayList<>(List.of(
                new Phase("canary", new BigDecimal("10"), Duration.ofHours(-1), false, criteria, rules),
                new Phase("canary", new BigDecimal("5"), Duration.ZERO, false, List.of(), List.of()),
                new Phase(" ", new BigDecimal("100.001"), null, false, null, List.of())));

        List<String> problems = PlanValidation.problems(new RolloutPlan(phases, false));

        assertThat(problems).containsExactlyInAnyOrder(
                "phases[0].minimumSoak: -1h is negative",
                "phases[0].criteria[0].metric: whisper_ready is for alert rules, not success criteria",
                "phases[0].criteria[1].threshold: 2.5 must be a whole count ≥ 0",
                "phases[0].rules[0].window: 5s is shorter than 10s",
                "phases[0].rules[0].minSamples: -1 is negative",
                "phases[0].rules[0].threshold: 1.5 must be a fraction strictly between 0 and 1 (0.01 is 1 %)",
                "phases[0].rules[1].latencyMs: null; slow_share needs a latency threshold in ms, 1 to 3600000"
                        + " (\"P95 < 2 s\" is slow_share over 2000 ms below 0.05)",
                "phases[0].rules[2].metric: rtf is for success criteria, not alert rules",
                "phases[0].rules[3].source: a comparison with webspeech needs client, the only source webspeech has",
                "phases[0].rules[4].provider: 'browser' is unknown; one of " + dev.cutover.signals.SignalKey.PROVIDERS,
                "phases[0].rules[4].source: 'edge' is unknown; one of " + dev.cutover.signals.SignalKey.SOURCES,
                "phases[0].rules[4].action: missing or unknown; NOTIFY, PAUSE or ROLLBACK",
                "phases[1].name: 'canary' is used by an earlier phase; names must be unique",
                "phases[1].whisperPercent: 5 is below the previous phase's 10; percentages must not decrease"
                        + " (roll back instead)",
                "phases[2].name: missing",
                "phases[2].whisperPercent: 100.001 is outside 0 to 100",
                "phases[2].minimumSoak: missing",
                "phases[2].criteria: missing (use [] for none)");
    }

    @Test
    void aPlanWithoutPhasesIsAProblem() {
        assertThat(PlanValidation.problems(new RolloutPlan(List.of(), false))).containsExactly(
                "phases: at least one phase is required");
        assertThat(PlanValidation.problems(new RolloutPlan(null, false))).hasSize(1);
        assertThat(PlanValidation.problems(null)).containsExactly("plan: missing");
    }

    @Test
    void percentagesMayHaveTwoDecimalsButNotThree() {
        Phase fine = new Phase("a", new BigDecimal("12.50"), Duration.ZERO, false, List.of(), List.of());
        Phase tooFine = new Phase("b", new BigDecimal("12.505"), Duration.ZERO, false, List.of(), List.of());

        assertThat(PlanValidation.problems(new RolloutPlan(List.of(fine), false))).isEmpty();
        assertThat(PlanValidation.problems(new RolloutPlan(List.of(fine, tooFine), false)))
                .containsExactly("phases[1].whisperPercent: 12.505 has more than two decimals (sessions are bucketed"
                        + " in hundredths of a percent)");
    }
}
