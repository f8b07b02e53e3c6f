package dev.cutover.flags;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConcurrentPatchTest {
    private static final int WRITERS = 12;

    @Test
    void ofConcurrentPatchesFromTheSameVersionExactlyOneWinsAndLeavesOneAuditRow() throws Exception {
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:race-secret").start();
             TestApp other = TestApp.builder().env(app.env()).env("PORT", "0").start()) {
            AdminApi[] admins = {new AdminApi(app, "race-secret"), new AdminApi(other, "race-secret")};
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> results = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                AdminApi admin = admins[i % 2];
                String percentage = Integer.toString(i + 1);
                results.add(pool.submit(() -> {
                    start.await();
                    return admin.setPercentage(percentage, 1);
                }));
            }
            start.countDown();
            int won = 0;
            int conflicts = 0;
            for (Future<HttpResponse<String>> result : results) {
                HttpResponse<String> response = result.get();
                if (response.statusCode() == 200) {
                    won++;
                } else {
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
                    assertThat(response.body()).contains("\"currentVersion\":");
                    conflicts++;
                }
            }
            pool.shutdown();

            assertThat(won).isEqualTo(1);
            assertThat(conflicts).isEqualTo(WRITERS - 1);
            assertThat(json(admins[0].get(AdminApi.FLAG)).path("version").asLong()).isEqualTo(2);
            assertThat(json(admins[0].get("/api/v1/audit")).path("events")).hasSize(1);
        }
    }
}
