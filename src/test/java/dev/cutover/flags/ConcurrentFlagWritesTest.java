package dev.cutover.flags;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writers racing on two instances of one database: the rollout plan (the one way to move the flag's percentage)
 * against one expected version, and the flag's own overrides. No update is lost or doubled: one wins, the rest are
 * told why, the flag moves once and the audit trail has one row.
 */
class ConcurrentFlagWritesTest {
    private static final int WRITERS = 12;

    private static TestApp app;
    private static TestApp other;
    private static AdminApi[] admins;

    @BeforeAll
    static void startTwoInstances() {
        app = TestApp.builder().env("ADMIN_TOKEN", "ops:race-secret").start();
        other = TestApp.builder().env(app.env()).env("PORT", "0").start();
        admins = new AdminApi[] {new AdminApi(app, "race-secret"), new AdminApi(other, "race-secret")};
    }

    @AfterAll
    static void stopThem() {
        other.close();
        app.close();
    }

    @Test
    void ofConcurrentPercentageChangesFromTheSamePlanVersionExactlyOneWinsMovesTheFlagOnceAndLeavesOneAuditRow()
            throws Exception {
        JsonNode flag = json(admins[0].get(AdminApi.FLAG));
        long planVersion = json(admins[0].get(AdminApi.ROLLOUT)).path("planVersion").asLong();
        long auditRows = auditRows();

        List<HttpResponse<String>> responses = race(i -> () -> admins[i % 2].putPlan(
                AdminApi.planAt(Integer.toString(i + 1), 0), planVersion, "race " + i));

        List<HttpResponse<String>> won = responses.stream().filter(r -> r.statusCode() == 200).toList();
        assertThat(won).hasSize(1);
        for (HttpResponse<String> response : responses) {
            if (response.statusCode() != 200) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
                assertThat(json(response).path("error").asText()).isEqualTo("version_conflict");
                assertThat(json(response).path("currentVersion").asLong()).isEqualTo(planVersion + 1);
            }
        }
        JsonNode after = json(admins[1].get(AdminApi.FLAG));
        assertThat(after.path("version").asLong()).isEqualTo(flag.path("version").asLong() + 1);
        assertThat(after.path("percentage").decimalValue())
                .isEqualByComparingTo(json(won.get(0)).at("/plan/phases/0/whisperPercent").decimalValue());
        assertThat(auditRows()).isEqualTo(auditRows + 1);
    }

    @Test
    void ofConcurrentAddsOfTheSameOverrideExactlyOneWinsAndLeavesOneAuditRow() throws Exception {
        long version = json(admins[0].get(AdminApi.FLAG)).path("version").asLong();
        long auditRows = auditRows();

        List<HttpResponse<String>> responses = race(i -> () -> admins[i % 2].post(AdminApi.FLAG + "/overrides",
                "{\"list\": \"" + (i % 3 == 0 ? "deny" : "allow") + "\", \"subject\": \"user\", \"id\": \"racer\"}"));

        assertThat(responses.stream().filter(r -> r.statusCode() == 201)).hasSize(1);
        for (HttpResponse<String> response : responses) {
            if (response.statusCode() != 201) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
                assertThat(json(response).path("error").asText()).isEqualTo("override_exists");
            }
        }
        JsonNode overrides = json(admins[1].get(AdminApi.FLAG + "/overrides"));
        assertThat(overrides.path("version").asLong()).isEqualTo(version + 1);
        assertThat(overrides.path("overrides").findValuesAsText("subjectId")).containsOnlyOnce("racer");
        assertThat(auditRows()).isEqualTo(auditRows + 1);
    }

    /** Runs the writers' requests at once (writer i sends {@code request.apply(i)}) and returns every answer. */
    private static List<HttpResponse<String>> race(IntFunction<Callable<HttpResponse<String>>> request)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> results = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                Callable<HttpResponse<String>> write = request.apply(i);
                results.add(pool.submit(() -> {
                    start.await();
                    return write.call();
                }));
            }
            start.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> result : results) {
                responses.add(result.get());
            }
            return responses;
        } finally {
            pool.shutdown();
        }
    }

    private static long auditRows() {
        return json(admins[0].get("/api/v1/audit?limit=500")).path("events").size();
    }
}
