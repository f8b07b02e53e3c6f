package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.rollout.RolloutApi;
import dev.cutover.testing.HttpTestClient;
import dev.cutover.testing.Machine;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator command line against the real app ({@link TestApp}, real PostgreSQL): every command in text and JSON,
 * and the exit codes scripts rely on — 0 ok, 1 refused with the server's reasons, 2 usage, 3 unreachable.
 */
class CliTest {
    private static final String TOKEN = "ops:" + RolloutApi.ADMIN;

    @Test
    void theRolloutIsRunFromTheCommandLineAndARefusalExitsOneWithEveryUnmetReason() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            Map<String, String> env = CliRun.env(app.baseUrl(), TOKEN);
            CliRun status = CliRun.of(env, "status");
            assertThat(status.code()).as(status.toString()).isZero();
            assertThat(status.out()).contains("status     ACTIVE").contains("phase      0 'baseline' at 0 % whisper (phases 0 to 6)")
                    .contains("version    1").contains("minimum soak 1d").contains("not yet");

            clock.advance(Duration.ofHours(3));
            CliRun refused = CliRun.of(env, "advance", "--reason", "looks fine");
            assertThat(refused.code()).as(refused.toString()).isEqualTo(Cli.REFUSED);
            assertThat(refused.err()).contains("409 criteria_not_met")
                    .contains("unmet: minimumSoak: 3h in phase 'baseline', below its minimum soak of 24h");
            assertThat(refused.out()).isEmpty();
            assertThat(RolloutApi.of(app).version()).as("nothing changed").isEqualTo(1);

            CliRun forced = CliRun.of(env, "advance", "--force", "--reason", "dev laptops ready");
            assertThat(forced.code()).as(forced.toString()).isZero();
            assertThat(forced.out()).startsWith("advance (forced): ACTIVE at phase 1 'developer-testing'")
                    .contains("version 2");
            JsonNode audited = RolloutApi.of(app).lastAudited("rollout.advance");
            assertThat(audited.path("reason").asText()).isEqualTo("dev laptops ready");
            assertThat(audited.path("actor").asText()).isEqualTo("ops");
            assertThat(audited.at("/after/forced").asBoolean()).isTrue();

            CliRun developerTesting = CliRun.of(env, "status");
            assertThat(developerTesting.out()).contains("criteria (all PASS to advance):")
                    .containsPattern("  NO_DATA +error_rate \\(whisper/client\\) below 0.01 +0 \\[0, 1\\], 0 samples \\(min 50\\)")
                    .contains("guard rules (last verdicts):")
                    .containsPattern("  NO_DATA +ROLLBACK +whisper_ready \\(whisper/server\\) above 3 over 1m +0, 0 samples");

            assertThat(CliRun.of(env, "pause", "--reason", "holiday").out()).startsWith("pause: PAUSED at phase 1");
            assertThat(CliRun.of(env, "resume", "--reason", "back").out()).startsWith("resume: ACTIVE at phase 1");

            CliRun complete = CliRun.of(env, "complete", "--reason", "done?");
            assertThat(complete.code()).as(complete.toString()).isEqualTo(Cli.REFUSED);
            assertThat(complete.err()).contains("409 not_last_phase").contains("Only the last phase ('full')");

            CliRun rollback = CliRun.of(env, "rollback", "--reason", "errors on Safari");
            assertThat(rollback.code()).as(rollback.toString()).isZero();
            assertThat(rollback.out()).startsWith("rolled back: ROLLED_BACK (from phase 1) at phase 1")
                    .contains("everyone on webspeech");
            assertThat(RolloutApi.of(app).flag().path("status").asText()).isEqualTo("ROLLED_BACK");
            long afterRollback = RolloutApi.of(app).version();

            CliRun again = CliRun.of(env, "rollback", "--reason", "errors on Safari");
            assertThat(again.code()).as(again.toString()).isZero();
            assertThat(again.out()).startsWith("already rolled back: ROLLED_BACK");
            assertThat(RolloutApi.of(app).version()).as("no second transition").isEqualTo(afterRollback);

            CliRun json = CliRun.of(env, "status", "--json");
            assertThat(json.code()).isZero();
            JsonNode parsed = HttpTestClient.json(json.out());
            assertThat(parsed.path("status").asText()).isEqualTo("ROLLED_BACK");
            assertThat(parsed.path("version").asLong()).isEqualTo(afterRollback);
        }
    }

    @Test
    void rollbackRetriesOnceWhenTheRolloutChangedBetweenItsReadAndItsWrite() throws Exception {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock);
             VersionBumpingProxy proxy = VersionBumpingProxy.to(app.port(), RolloutApi.of(app))) {
            CliRun rollback = CliRun.of(CliRun.env(proxy.baseUrl(), TOKEN), "rollback", "--reason", "race");
            assertThat(rollback.code()).as(rollback.toString()).isZero();
            assertThat(proxy.bumps()).as("the rollout changed after the first read").isEqualTo(1);
            assertThat(RolloutApi.of(app).state().path("status").asText()).isEqualTo("ROLLED_BACK");
        }
    }

    @Test
    void planIsPrintedAndReplacedFromAFileWithTheVersionItWasReadAt(@TempDir Path dir)
            throws IOException {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            Map<String, String> env = CliRun.env(app.baseUrl(), TOKEN);
            CliRun plan = CliRun.of(env, "plan");
            assertThat(plan.code()).as(plan.toString()).isZero();
            assertThat(plan.out()).startsWith("plan version 1, 7 phases, autopilot off")
                    .containsPattern("2 +canary +10 % +24h")
                    .contains("ROLLBACK if").contains("error_rate (whisper/client) above 0.01 over 5m, min 50");

            CliRun json = CliRun.of(env, "plan", "--json");
            JsonNode read = HttpTestClient.json(json.out());
            assertThat(read.path("planVersion").asLong()).isEqualTo(1);
            String edited = json.out().replace("\"minimumSoak\" : \"24h\"", "\"minimumSoak\" : \"12h\"");
            assertThat(edited).isNotEqualTo(json.out());
            Path file = dir.resolve("plan.json");
            Files.writeString(file, edited, StandardCharsets.UTF_8);

            CliRun set = CliRun.of(env, "plan", "set", file.toString(), "--reason", "shorter soaks");
            assertThat(set.code()).as(set.toString()).isZero();
            assertThat(set.out()).isEqualTo("plan saved: version 2, 7 phases" + System.lineSeparator());
            assertThat(RolloutApi.of(app).state().at("/plan/phases/0/minimumSoak").asText()).isEqualTo("12h");
            assertThat(RolloutApi.of(app).lastAudited("rollout.plan").path("reason").asText())
                    .isEqualTo("shorter soaks");

            CliRun stale = CliRun.of(env, "plan", "set", file.toString(), "--reason", "again");
            assertThat(stale.code()).as("the file was read at version 1: " + stale).isEqualTo(Cli.REFUSED);
            assertThat(stale.err()).contains("409 version_conflict").contains("currentVersion: 2");

            Path bare = dir.resolve("bare.json");
            Files.writeString(bare, read.path("plan").toString(), StandardCharsets.UTF_8);
            CliRun current = CliRun.of(env, "--json", "plan", "set", bare.toString(), "--reason", "back to 24h");
            assertThat(current.code()).as("a bare plan replaces the current version: " + current).isZero();
            assertThat(HttpTestClient.json(current.out()).path("planVersion").asLong()).isEqualTo(3);

            Path invalid = dir.resolve("invalid.json");
            Files.writeString(invalid, "{\"phases\": []}", StandardCharsets.UTF_8);
            CliRun rejected = CliRun.of(env, "plan", "set", invalid.toString(), "--reason", "empty");
            assertThat(rejected.code()).as(rejected.toString()).isEqualTo(Cli.REFUSED);
            assertThat(rejected.err()).contains("400 invalid_plan");

            assertThat(CliRun.of(env, "plan", "set", dir.resolve("missing.json").toString(), "--reason", "x").code())
                    .isEqualTo(Cli.USAGE);
            Files.writeString(invalid, "{\"phases\": [", StandardCharsets.UTF_8);
            CliRun broken = CliRun.of(env, "plan", "set", invalid.toString(), "--reason", "x");
            assertThat(broken.code()).isEqualTo(Cli.USAGE);
            assertThat(broken.err()).contains("is not valid JSON");
        }
    }

    @Test
    void reportAndAuditArePrintedAsTextAndAsJsonAndTheAuditIsFilteredByActionAndActor() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            Map<String, String> env = CliRun.env(app.baseUrl(), TOKEN);
            assertThat(CliRun.of(env, "advance", "--force", "--reason", "first").code()).isZero();
            assertThat(CliRun.of(env, "pause", "--reason", "second").code()).isZero();
            assertThat(CliRun.of(env, "--token", "rollout-admin", "resume", "--reason", "third").code()).isZero();

            CliRun report = CliRun.of(env, "report");
            assertThat(report.code()).as(report.toString()).isZero();
            assertThat(report.out()).contains("rollout    ACTIVE at 'developer-testing' (0 %)").contains("ready      no")
                    .containsPattern("  NO_DATA +availability >= 95 % +value -, 0 samples \\(min 500\\)").contains("not done because:")
                    .containsPattern("0 +baseline +0 % +2026-11-30T12:00:00Z +0s +by system");
            JsonNode reportJson = HttpTestClient.json(CliRun.of(env, "report", "--json").out());
            assertThat(reportJson.path("ready").asBoolean()).isFalse();
            assertThat(reportJson.path("criteria").size()).isEqualTo(5);

            CliRun audit = CliRun.of(env, "audit");
            assertThat(audit.code()).as(audit.toString()).isZero();
            assertThat(audit.out().lines().findFirst().orElseThrow()).containsPattern("id +at +actor +action +target +reason");
            assertThat(audit.out()).contains("rollout.advance").contains("rollout.pause").contains("rollout.resume")
                    .contains("third");

            CliRun pauses = CliRun.of(env, "audit", "--action", "rollout.pause", "--json");
            List<String> actions = new ArrayList<>();
            HttpTestClient.json(pauses.out()).path("events").forEach(e -> actions.add(e.path("action").asText()));
            assertThat(actions).containsExactly("rollout.pause");

            CliRun limited = CliRun.of(env, "audit", "--action", "rollout.", "--limit", "2");
            assertThat(limited.out()).contains("rollout.resume").contains("rollout.pause")
                    .doesNotContain("rollout.advance").contains("older rows: --before ");

            assertThat(CliRun.of(env, "audit", "--actor", "nobody").out()).startsWith("no audit rows match");
            JsonNode byOps = HttpTestClient.json(CliRun.of(env, "audit", "--actor", "ops", "--json").out());
            assertThat(byOps.path("events").size()).isEqualTo(3);
        }
    }

    @Test
    void serverTextIsPrintedWithoutControlCharactersAndJsonKeepsThemEscaped() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            Map<String, String> env = CliRun.env(app.baseUrl(), TOKEN);
            String hostile = "ok\u001b[2J\u001b]0;pwned\u0007 \u202edesrever\u009b31m";
            assertThat(CliRun.of(env, "pause", "--reason", hostile).code()).isZero();
            CliRun audit = CliRun.of(env, "audit");
            assertThat(audit.out()).contains("ok[2J]0;pwned desrever31m");
            assertThat(audit.out().codePoints().filter(Terminal::unsafe).filter(c -> c != '\n').count()).isZero();

            CliRun json = CliRun.of(env, "audit", "--json");
            assertThat(json.out()).contains("ok\\u001B[2J\\u001B]0;pwned\\u0007 \\u202edesrever\\u009b31m");
            assertThat(json.out().codePoints().filter(Terminal::unsafe).filter(c -> c != '\n').count()).isZero();
            assertThat(HttpTestClient.json(json.out()).at("/events/0/reason").asText()).isEqualTo(hostile);
        }
    }

    @Test
    void usageErrorsExitTwoBeforeAnyRequest() throws IOException {
        Map<String, String> env = CliRun.env("http://127.0.0.1:" + Machine.freePort(), TOKEN);
        CliRun noReason = CliRun.of(env, "rollback");
        assertThat(noReason.code()).as(noReason.toString()).isEqualTo(Cli.USAGE);
        assertThat(noReason.err()).contains("Missing required option: '--reason=TEXT'");
        assertThat(CliRun.of(env, "pause", "--reason", "  ").code()).isEqualTo(Cli.USAGE);
        CliRun unknown = CliRun.of(env, "deploy");
        assertThat(unknown.code()).as(unknown.toString()).isEqualTo(Cli.USAGE);
        assertThat(unknown.err()).contains("Unmatched argument at index 0: 'deploy'");
        assertThat(CliRun.of(env, "audit", "--limit", "0").code()).isEqualTo(Cli.USAGE);
        assertThat(CliRun.of(env, "status", "--timeout", "soon").code()).isEqualTo(Cli.USAGE);
        assertThat(CliRun.of(env, "status", "--url", "ftp://example.com").code()).isEqualTo(Cli.USAGE);
        assertThat(CliRun.of(env).code()).isEqualTo(Cli.USAGE);

        CliRun help = CliRun.of(env, "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("rollback").contains("Exit codes: 0 ok, 1 refused");
        CliRun version = CliRun.of(env, "--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("cutover ");

        CliRun noToken = CliRun.of(Map.of("CUTOVER_URL", env.get("CUTOVER_URL"), "DATA_DIR",
                Files.createTempDirectory("cutover-cli").toString()), "status");
        assertThat(noToken.code()).as(noToken.toString()).isEqualTo(Cli.USAGE);
        assertThat(noToken.err()).contains("no admin token");
    }

    @Test
    void aClosedPortExitsThreeAndABadTokenExitsOneWithTheServersMessage() {
        CliRun closed = CliRun.of(CliRun.env("http://127.0.0.1:" + Machine.freePort(), TOKEN), "status");
        assertThat(closed.code()).as(closed.toString()).isEqualTo(Cli.UNREACHABLE);
        assertThat(closed.err()).contains("cannot reach").contains("connection refused");

        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            CliRun badToken = CliRun.of(CliRun.env(app.baseUrl(), "ops:wrong"), "rollback", "--reason", "x");
            assertThat(badToken.code()).as(badToken.toString()).isEqualTo(Cli.REFUSED);
            assertThat(badToken.err()).contains("GET /api/v1/rollout refused: 401 unauthorized")
                    .contains("Send the admin token as 'Authorization: Bearer <token>'");
            CliRun json = CliRun.of(CliRun.env(app.baseUrl(), "ops:wrong"), "status", "--json");
            assertThat(HttpTestClient.json(json.out()).path("error").asText()).isEqualTo("unauthorized");
        }
    }

    @Test
    void withoutAdminTokenTheCommandLineUsesTheTokenTheServerKeepsInItsDataDirectory() {
        try (TestApp app = TestApp.start()) {
            Map<String, String> env = new HashMap<>();
            env.put("CUTOVER_URL", app.baseUrl());
            env.put("DATA_DIR", app.env().get("DATA_DIR"));
            CliRun status = CliRun.of(env, "status");
            assertThat(status.code()).as(status.toString()).isZero();
            assertThat(status.out()).contains("status     ACTIVE");
            CliRun rollback = CliRun.of(env, "rollback", "--reason", "generated token");
            assertThat(rollback.code()).as(rollback.toString()).isZero();
            JsonNode audit = HttpTestClient.json(CliRun.of(env, "audit", "--json").out());
            assertThat(audit.at("/events/0/actor").asText()).as("the generated token's name").isEqualTo("admin");
        }
    }
}
