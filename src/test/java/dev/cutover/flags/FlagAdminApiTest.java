package dev.cutover.flags;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
        assertThat(new AdminApi(app, "alice-secret-1").setPercentage("5", 999).statusCode()).isEqualTo(409);
        assertThat(new AdminApi(app, "nobody").setPercentage("5", 999).statusCode()).isEqualTo(401);
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
    void aPatchChangesTheFlagBumpsTheVersionAndLeavesOneAuditRowNamingTheTokenOwner() {
        long version = currentVersion();
        HttpResponse<String> response = new AdminApi(app, "bob-secret-2").patch(FLAG,
                "{\"percentage\": 12.5, \"status\": \"paused\", \"expectedVersion\": " + version
                        + ", \"reason\": \"canary looks fine\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode flag = json(response);
        assertThat(flag.path("percentage").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(flag.path("status").asText()).isEqualTo("PAUSED");
        assertThat(flag.path("version").asLong()).isEqualTo(version + 1);

        JsonNode newest = json(alice.get("/api/v1/audit?limit=1")).path("events").get(0);
        assertThat(newest.path("actor").asText()).isEqualTo("bob");
        assertThat(newest.path("action").asText()).isEqualTo("flag.update");
        assertThat(newest.path("reason").asText()).isEqualTo("canary looks fine");
        assertThat(newest.path("before").path("version").asLong()).isEqualTo(version);
        assertThat(newest.path("after").path("version").asLong()).isEqualTo(version + 1);
        assertThat(newest.path("after").path("status").asText()).isEqualTo("PAUSED");

        restore(version + 1);
    }

    @Test
    void aPatchIsServedByAssignmentOnTheSameInstanceAtOnce() {
        long version = currentVersion();
        assertThat(alice.setPercentage("100", version).statusCode()).isEqualTo(200);
        String body = app.awaitAssignment("sessionId=any-session", version + 1, Duration.ofSeconds(1));
        assertThat(body).contains("\"provider\":\"whisper\"", "\"reason\":\"SPLIT\"", "\"percentage\":100.00");
        restore(version + 1);
    }

    @Test
    void aStaleExpectedVersionIsAConflictThatNamesTheCurrentVersion() {
        long version = currentVersion();
        HttpResponse<String> response = alice.setPercentage("30", version - 1);

        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode body = json(response);
        assertThat(body.path("error").asText()).isEqualTo("version_conflict");
        assertThat(body.path("currentVersion").asLong()).isEqualTo(version);
        assertThat(currentVersion()).isEqualTo(version);
    }

    @Test
    void invalidChangesAreRefusedWith400AndChangeNothing() {
        long version = currentVersion();
        long auditRows = auditCount();
        String v = ", \"expectedVersion\": " + version;
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 100.01" + v + "}"), "invalid_percentage");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": -0.01" + v + "}"), "invalid_percentage");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 10.555" + v + "}"), "invalid_percentage");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 1e400" + v + "}"), "invalid_percentage");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": \"10\"" + v + "}"), "invalid_percentage");
        assertBadRequest(alice.patch(FLAG, "{\"status\": \"LAUNCHED\"" + v + "}"), "invalid_status");
        assertBadRequest(alice.patch(FLAG, "{\"status\": 3" + v + "}"), "invalid_status");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 10}"), "missing_expected_version");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 10, \"expectedVersion\": 1.5}"), "invalid_expected_version");
        assertBadRequest(alice.patch(FLAG, "{\"expectedVersion\": " + version + "}"), "nothing_to_change");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 10" + v + ", \"reason\": \"" + "x".repeat(1001) + "\"}"), "reason_too_long");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 10,"), "malformed_json");
        assertBadRequest(alice.patch(FLAG, "{\"percentage\": 10" + v + "} trailing"), "malformed_json");
        assertBadRequest(alice.patch(FLAG, "[1, 2]"), "malformed_json");
        assertBadRequest(alice.patch(FLAG, ""), "malformed_json");
        assertBadRequest(alice.patch(FLAG, "\u0000\u00ff"), "malformed_json");

        assertThat(currentVersion()).isEqualTo(version);
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
            assertThat(alice.setPercentage(Integer.toString(i), version + i - 1).statusCode()).isEqualTo(200);
        }
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
        restore(version + 3);
    }

    private static void restore(long version) {
        assertThat(alice.patch(FLAG, "{\"percentage\": 0, \"status\": \"active\", \"expectedVersion\": " + version + "}")
                .statusCode()).isEqualTo(200);
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
