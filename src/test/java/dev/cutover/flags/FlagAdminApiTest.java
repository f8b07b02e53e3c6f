package dev.cutover.flags;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FlagAdminApiTest {
    private static final String FLAG = AdminApi.FLAG;
    private static TestApp app;
    private static AdminApi alice;

    @BeforeAll
    static void startApp() {
        app = TestApp.builder().env("ADMIN_TOKEN", "alice:alice-secret-1, bob:bob-secret-2").start();
        alice = new AdminApi(app, "alice-secret-1");
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void adminRoutesRefuseRequestsWithoutOrWithAWrongToken() {
        for (String path : List.of(FLAG, FLAG + "/overrides", "/api/v1/audit")) {
            HttpResponse<String> none = app.get(path);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(json(none).path("error").asText()).isEqualTo("unauthorized");
            assertThat(new AdminApi(app, "alice-secret-").get(path).statusCode()).isEqualTo(401);
            assertThat(new AdminApi(app, "alice").get(path).statusCode()).isEqualTo(401);
            assertThat(new AdminApi(app, "alice:alice-secret-1").get(path).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> basic = app.send(HttpRequest.newBuilder(app.uri(FLAG))
                .header("Authorization", "Basic YWxpY2U6YWxpY2Utc2VjcmV0LTE=").GET().build());
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(new AdminApi(app, "alice-secret-1").patch(FLAG, "{\"percentage\": 5}").statusCode()).isEqualTo(409);
        assertThat(new AdminApi(app, "nobody").patch(FLAG, "{\"percentage\": 5}").statusCode()).isEqualTo(401);
        assertThat(new AdminApi(app, "nobody").setPercentage("5").statusCode()).isEqualTo(401);
    }

    @Test
    void theFlagIsReadWithItsVariantsVersionAndAnEtag() {
        HttpResponse<String> response = alice.get(FLAG);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode flag = json(response);
        assertThat(flag.path("key").asText()).isEqualTo("transcription-provider");
        assertThat(flag.path("variants").toString()).isEqualTo("[\"webspeech\",\"whisper\"]");
        assertThat(flag.path("status").asText()).isIn("ACTIVE", "PAUSED", "ROLLED_BACK");
        assertThat(response.headers().firstValue("ETag")).hasValue("\"" + flag.path("version").asLong() + "\"");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void aPatchOfThePercentageIsRefusedWith409ManagedByRolloutNamingThePlanAndChangesNothing() {
        assertThat(alice.setPercentage("25").statusCode()).isEqualTo(200);
        long version = currentVersion();
        for (String body : List.of(
                "{\"percentage\": 50, \"expectedVersion\": " + version + ", \"reason\": \"canary\"}",
                "{\"percentage\": 50}",
                "{\"percentage\": 25, \"expectedVersion\": " + (version - 1) + "}",
                "{\"percentage\": 100.01, \"expectedVersion\": 1.5}",
                "{\"percentage\": \"10\", \"note\": \"anything else\"}")) {
            JsonNode refused = assertManagedByRollout(body, List.of("percentage"));
            assertThat(refused.path("message").asText()).contains("whisperPercent", "PUT /api/v1/rollout/plan",
                    "POST /api/v1/rollout/advance").doesNotContain("/rollback");
            assertThat(refused.path("instead").toString())
                    .isEqualTo("[\"PUT /api/v1/rollout/plan\",\"POST /api/v1/rollout/advance\"]");
        }
        assertOverridesStillWork();
        restore();
    }

    @Test
    void aPatchOfTheStatusIsRefusedWith409ManagedByRolloutNamingTheTransitionsAndChangesNothing() {
        assertThat(alice.transition("pause", "status test").statusCode()).isEqualTo(200);
        assertThat(json(alice.get(FLAG)).path("status").asText()).isEqualTo("PAUSED");
        for (String status : List.of("active", "ROLLED_BACK", "paused", "LAUNCHED")) {
            JsonNode refused = assertManagedByRollout("{\"status\": \"" + status + "\", \"expectedVersion\": "
                    + currentVersion() + "}", List.of("status"));
            assertThat(refused.path("message").asText()).contains("POST /api/v1/rollout/pause, /resume or /rollback")
                    .doesNotContain("/plan");
        }
        JsonNode both = assertManagedByRollout("{\"percentage\": 0, \"status\": \"rolled_back\", "
                + "\"expectedVersion\": " + currentVersion() + ", \"reason\": \"incident\"}",
                List.of("percentage", "status"));
        assertThat(both.path("message").asText()).startsWith("The flag's percentage and status are set by the rollout")
                .contains("PUT /api/v1/rollout/plan", "/rollback");
        assertThat(both.path("instead")).hasSize(5);
        assertOverridesStillWork();
        assertThat(alice.transition("resume", "status test").statusCode()).isEqualTo(200);
        assertThat(json(alice.get(FLAG)).path("status").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void thePercentageAndStatusFollowTheRolloutWithOneAuditRowEachNamingTheTokenOwner() {
        AdminApi bob = new AdminApi(app, "bob-secret-2");
        long version = currentVersion();
        assertThat(bob.setPercentage("12.5").statusCode()).isEqualTo(200);
        JsonNode flag = json(alice.get(FLAG));
        assertThat(flag.path("percentage").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(flag.path("version").asLong()).isEqualTo(version + 1);
        JsonNode planned = newestAuditEvent();
        assertThat(planned.path("actor").asText()).isEqualTo("bob");
        assertThat(planned.path("action").asText()).isEqualTo("rollout.plan");
        assertThat(planned.path("after").path("flagPercentage").decimalValue()).isEqualByComparingTo("12.5");

        assertThat(bob.transition("pause", "canary looks odd").statusCode()).isEqualTo(200);
        flag = json(alice.get(FLAG));
        assertThat(flag.path("status").asText()).isEqualTo("PAUSED");
        assertThat(flag.path("percentage").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(flag.path("version").asLong()).isEqualTo(version + 2);
        JsonNode paused = newestAuditEvent();
        assertThat(paused.path("actor").asText()).isEqualTo("bob");
        assertThat(paused.path("action").asText()).isEqualTo("rollout.pause");
        assertThat(paused.path("reason").asText()).isEqualTo("canary looks odd");
        assertThat(paused.path("after").path("flagVersion").asLong()).isEqualTo(version + 2);

        assertThat(bob.transition("resume", "fine after all").statusCode()).isEqualTo(200);
        restore();
    }

    @Test
    void aRolloutChangeIsServedByAssignmentOnTheSameInstanceAtOnce() {
        long version = currentVersion();
        assertThat(alice.setPercentage("100").statusCode()).isEqualTo(200);
        String body = app.awaitAssignment("sessionId=any-session", version + 1, Duration.ofSeconds(1));
        assertThat(body).contains("\"provider\":\"whisper\"", "\"reason\":\"SPLIT\"", "\"percentage\":100.00");
        restore();
    }

    @Test
    void aPatchNamingNeitherIsRefusedWith400AsIsAMalformedBodyAndNeitherChangesAnything() {
        String flag = alice.get(FLAG).body();
        long auditRows = auditCount();
        String v = ", \"expectedVersion\": " + currentVersion();
        for (String body : List.of("{\"expectedVersion\": 1}", "{\"reason\": \"tidy\"" + v + "}", "{}",
                "{\"percentage\": null, \"status\": null}", "{\"variants\": [\"whisper\"]}")) {
            HttpResponse<String> response = alice.patch(FLAG, body);
            assertBadRequest(response, "nothing_to_change");
            assertThat(json(response).path("message").asText()).contains("/api/v1/rollout", FLAG + "/overrides");
        }
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 10,"), "malformed_json");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 10" + v + "} trailing"), "malformed_json");
        assertBadRequest(alice.patch(FLAG, "[1, 2]"), "malformed_json");
        assertBadRequest(alice.patch(FLAG, ""), "malformed_json");
        assertBadRequest(alice.patch(FLAG, "\u0000\u00ff"), "malformed_json");
        assertThat(json(alice.patch(FLAG, "")).path("message").asText()).contains("/api/v1/rollout/rollback");

        assertThat(alice.get(FLAG).body()).isEqualTo(flag);
        assertThat(auditCount()).isEqualTo(auditRows);
    }

    @Test
    void anUnknownFlagKeyIsA404JsonError() {
        for (HttpResponse<String> response : List.of(
                alice.get("/api/v1/flags/no-such-flag"),
                alice.patch("/api/v1/flags/no-such-flag", "{\"percentage\": 1, \"expectedVersion\": 1}"),
                alice.get("/api/v1/flags/no-such-flag/overrides"),
                alice.post("/api/v1/flags/no-such-flag/overrides", "{\"list\":\"allow\",\"subject\":\"user\",\"id\":\"u\"}"),
                alice.delete("/api/v1/flags/no-such-flag/overrides/1"))) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(json(response).path("error").asText()).isEqualTo("flag_not_found");
        }
    }

    @Test
    void overridesAreAddedListedAndRemovedEachBumpingTheVersionWithOneAuditRow() {
        long version = currentVersion();
        long auditRows = auditCount();

        HttpResponse<String> added = alice.post(FLAG + "/overrides",
                "{\"list\": \"allow\", \"subject\": \"user\", \"id\": \"dev-7\", \"note\": \"QA laptop\"}");
        assertThat(added.statusCode()).isEqualTo(201);
        JsonNode addedBody = json(added);
        long overrideId = addedBody.path("override").path("id").asLong();
        assertThat(addedBody.path("override").path("list").asText()).isEqualTo("allow");
        assertThat(addedBody.path("override").path("addedBy").asText()).isEqualTo("alice");
        assertThat(addedBody.path("version").asLong()).isEqualTo(version + 1);

        JsonNode listed = json(alice.get(FLAG + "/overrides"));
        assertThat(listed.path("version").asLong()).isEqualTo(version + 1);
        assertThat(listed.path("overrides").findValuesAsText("subjectId")).contains("dev-7");

        HttpResponse<String> duplicate = alice.post(FLAG + "/overrides",
                "{\"list\": \"deny\", \"subject\": \"user\", \"id\": \"dev-7\"}");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(json(duplicate).path("error").asText()).isEqualTo("override_exists");

        HttpResponse<String> removed = alice.delete(FLAG + "/overrides/" + overrideId + "?reason=done");
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(json(removed).path("version").asLong()).isEqualTo(version + 2);
        assertThat(alice.delete(FLAG + "/overrides/" + overrideId).statusCode()).isEqualTo(404);
        assertThat(alice.delete(FLAG + "/overrides/not-a-number").statusCode()).isEqualTo(404);

        JsonNode events = json(alice.get("/api/v1/audit?limit=2")).path("events");
        assertThat(events.get(0).path("action").asText()).isEqualTo("override.remove");
        assertThat(events.get(0).path("before").path("subjectId").asText()).isEqualTo("dev-7");
        assertThat(events.get(0).path("after").isNull()).isTrue();
        assertThat(events.get(0).path("reason").asText()).isEqualTo("done");
        assertThat(events.get(1).path("action").asText()).isEqualTo("override.add");
        assertThat(auditCount()).isEqualTo(auditRows + 2);
    }

    @Test
    void theAllowlistGivesWhisperAndTheDenylistWebspeechWhateverThePercentage() {
        long version = currentVersion();
        assertThat(alice.post(FLAG + "/overrides", "{\"list\":\"allow\",\"subject\":\"session\",\"id\":\"tester-s\"}")
                .statusCode()).isEqualTo(201);
        assertThat(alice.post(FLAG + "/overrides", "{\"list\":\"deny\",\"subject\":\"user\",\"id\":\"vip-u\"}")
                .statusCode()).isEqualTo(201);
        String allowed = app.awaitAssignment("sessionId=tester-s", version + 2, Duration.ofSeconds(1));
        assertThat(allowed).contains("\"provider\":\"whisper\"", "\"reason\":\"ALLOWLIST\"");
        assertThat(app.get("/api/v1/assignment?sessionId=tester-s&userId=vip-u").body())
                .contains("\"provider\":\"webspeech\"", "\"reason\":\"DENYLIST\"");
    }

    @Test
    void badOverrideRequestsAreRefusedWith400() {
        String path = FLAG + "/overrides";
        assertBadRequest(alice.post(path, "{\"list\":\"maybe\",\"subject\":\"user\",\"id\":\"u\"}"), "invalid_list");
        assertBadRequest(alice.post(path, "{\"list\":\"allow\",\"subject\":\"device\",\"id\":\"u\"}"), "invalid_subject");
        assertBadRequest(alice.post(path, "{\"list\":\"allow\",\"subject\":\"user\"}"), "missing_id");
        assertBadRequest(alice.post(path, "{\"list\":\"allow\",\"subject\":\"user\",\"id\":\"\"}"), "missing_id");
        assertBadRequest(alice.post(path, "{\"list\":\"allow\",\"subject\":\"user\",\"id\":\"" + "u".repeat(257) + "\"}"), "id_too_long");
        assertBadRequest(alice.post(path, "{\"list\":\"allow\",\"subject\":\"user\",\"id\":\"a\\u0000b\"}"), "invalid_id");
        assertBadRequest(alice.post(path, "{\"subject\":\"user\",\"id\":\"u\"}"), "missing_list");
        assertBadRequest(alice.post(path, "not json"), "malformed_json");
    }

    @Test
    void theAuditTrailPagesNewestFirstWithACursor() {
        long version = currentVersion();
        for (int i = 1; i <= 3; i++) {
            assertThat(alice.setPercentage(Integer.toString(i)).statusCode()).isEqualTo(200);
        }
        assertThat(currentVersion()).isEqualTo(version + 3);
        JsonNode first = json(alice.get("/api/v1/audit?limit=2"));
        assertThat(first.path("events")).hasSize(2);
        long newest = first.path("events").get(0).path("id").asLong();
        long second = first.path("events").get(1).path("id").asLong();
        assertThat(newest).isGreaterThan(second);
        assertThat(first.path("nextBefore").asLong()).isEqualTo(second);

        JsonNode next = json(alice.get("/api/v1/audit?limit=2&before=" + second));
        assertThat(next.path("events").get(0).path("id").asLong()).isLessThan(second);

        JsonNode all = json(alice.get("/api/v1/audit?limit=500"));
        assertThat(all.path("nextBefore").isNull()).isTrue();
        assertBadRequest(alice.get("/api/v1/audit?limit=0"), "invalid_limit");
        assertBadRequest(alice.get("/api/v1/audit?limit=ten"), "invalid_limit");
        assertBadRequest(alice.get("/api/v1/audit?before=-3"), "invalid_before");
        assertThat(alice.get("/api/v1/audit?limit=100000").statusCode()).isEqualTo(200);
        restore();
    }

    @Test
    void theAuditTrailIsFilteredByActionPrefixAndActorAndPagesWithinTheFilter() {
        AdminApi bob = new AdminApi(app, "bob-secret-2");
        String path = FLAG + "/overrides";
        List<Long> added = new ArrayList<>();
        for (AdminApi who : List.of(alice, bob, bob)) {
            HttpResponse<String> response = who.post(path, "{\"list\":\"deny\",\"subject\":\"session\",\"id\":\"audit-filter-"
                    + added.size() + "\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            added.add(json(response).at("/override/id").asLong());
        }
        assertThat(alice.setPercentage("1").statusCode()).isEqualTo(200);

        JsonNode bobs = json(alice.get("/api/v1/audit?action=override.&actor=bob&limit=1"));
        assertThat(bobs.path("events")).hasSize(1);
        assertThat(bobs.at("/events/0/actor").asText()).isEqualTo("bob");
        assertThat(bobs.at("/events/0/after/subjectId").asText()).isEqualTo("audit-filter-2");
        JsonNode older = json(alice.get("/api/v1/audit?action=override.&actor=bob&limit=1&before="
                + bobs.path("nextBefore").asLong()));
        assertThat(older.at("/events/0/after/subjectId").asText()).as("the cursor stays in the filter")
                .isEqualTo("audit-filter-1");
        assertThat(older.path("nextBefore").isNull()).as("bob's last override.* row").isTrue();

        JsonNode rollout = json(alice.get("/api/v1/audit?action=rollout.&limit=500")).path("events");
        assertThat(rollout).isNotEmpty().allSatisfy(e -> assertThat(e.path("action").asText()).startsWith("rollout."));
        assertThat(rollout.get(0).path("actor").asText()).isEqualTo("alice");
        assertThat(json(alice.get("/api/v1/audit?action=override.add&actor=alice&limit=500")).path("events"))
                .allSatisfy(e -> assertThat(e.path("action").asText()).isEqualTo("override.add"))
                .anySatisfy(e -> assertThat(e.at("/after/subjectId").asText()).isEqualTo("audit-filter-0"));
        // LIKE's wildcards are literal in a prefix, and no actor is called "nobody".
        assertThat(json(alice.get("/api/v1/audit?action=%25&limit=500")).path("events")).isEmpty();
        assertThat(json(alice.get("/api/v1/audit?action=override_add&limit=500")).path("events")).isEmpty();
        assertThat(json(alice.get("/api/v1/audit?actor=nobody")).path("events")).isEmpty();
        assertBadRequest(alice.get("/api/v1/audit?actor=a%00b"), "invalid_actor");
        assertBadRequest(alice.get("/api/v1/audit?action=%FF"), "invalid_action");

        for (long id : added) {
            assertThat(alice.delete(path + "/" + id).statusCode()).isEqualTo(200);
        }
        restore();
    }

    /**
     * Sends the PATCH and checks the refusal: 409 managed_by_rollout naming the fields, the rollout to use instead and
     * the overrides that stay here; the flag (version, percentage, status, timestamps) and the audit trail unchanged.
     */
    private static JsonNode assertManagedByRollout(String body, List<String> managed) {
        String flag = alice.get(FLAG).body();
        long auditRows = auditCount();
        HttpResponse<String> response = alice.patch(FLAG, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
        JsonNode refused = json(response);
        assertThat(refused.path("error").asText()).isEqualTo("managed_by_rollout");
        assertThat(refused.path("use").asText()).isEqualTo("/api/v1/rollout");
        assertThat(refused.path("managed").toString()).isEqualTo(json("[\"" + String.join("\",\"", managed) + "\"]")
                .toString());
        assertThat(refused.path("message").asText()).contains("nothing was changed", FLAG + "/overrides");
        assertThat(alice.get(FLAG).body()).isEqualTo(flag);
        assertThat(auditCount()).isEqualTo(auditRows);
        return refused;
    }

    /** Overrides stay the flag API's own: allow- and denylisted sessions get their provider, and come off again. */
    private static void assertOverridesStillWork() {
        long version = currentVersion();
        HttpResponse<String> allowed = alice.post(FLAG + "/overrides",
                "{\"list\": \"allow\", \"subject\": \"session\", \"id\": \"still-mine\"}");
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
        HttpResponse<String> denied = alice.post(FLAG + "/overrides",
                "{\"list\": \"deny\", \"subject\": \"user\", \"id\": \"kept-out\"}");
        assertThat(denied.statusCode()).as(denied.body()).isEqualTo(201);
        assertThat(app.awaitAssignment("sessionId=still-mine", version + 2, Duration.ofSeconds(1)))
                .contains("\"provider\":\"whisper\"", "\"reason\":\"ALLOWLIST\"");
        assertThat(app.get("/api/v1/assignment?sessionId=still-mine&userId=kept-out").body())
                .contains("\"provider\":\"webspeech\"", "\"reason\":\"DENYLIST\"");
        for (HttpResponse<String> added : List.of(allowed, denied)) {
            assertThat(alice.delete(FLAG + "/overrides/" + json(added).at("/override/id").asLong()).statusCode())
                    .isEqualTo(200);
        }
        assertThat(currentVersion()).isEqualTo(version + 4);
    }

    /** Back to 0 % through the rollout (a no-op when the flag is there). */
    private static void restore() {
        assertThat(alice.setPercentage("0").statusCode()).isEqualTo(200);
    }

    private static JsonNode newestAuditEvent() {
        return json(alice.get("/api/v1/audit?limit=1")).path("events").get(0);
    }

    private static long currentVersion() {
        return json(alice.get(FLAG)).path("version").asLong();
    }

    private static long auditCount() {
        return json(alice.get("/api/v1/audit?limit=500")).path("events").size();
    }

    private static void assertBadRequest(HttpResponse<String> response, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).path("error").asText()).isEqualTo(code);
    }
}
