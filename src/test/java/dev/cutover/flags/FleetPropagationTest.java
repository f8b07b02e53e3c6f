package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class FleetPropagationTest {

    @Test
    void aChangeMadeOnOneInstanceIsServedByAnotherWithinOneSecond() throws InterruptedException {
        // A long re-read interval proves the change travels by NOTIFY, not by the safety-net poll.
        try (TestApp first = TestApp.builder().env("ADMIN_TOKEN", "ops:fleet-secret").env("FLAG_REFRESH_INTERVAL", "1h").start();
             TestApp second = TestApp.builder().env(first.env()).env("PORT", "0").start()) {
            AdminApi admin = new AdminApi(first, "fleet-secret");
            assertThat(second.get("/api/v1/assignment?sessionId=s-1").body()).contains("\"version\":1,");

            long patchedAt = System.nanoTime();
            assertThat(admin.setPercentage("100", 1).statusCode()).isEqualTo(200);
            String seen = awaitVersion(second, "sessionId=s-1", 2, patchedAt);
            assertThat(seen).contains("\"provider\":\"whisper\"", "\"percentage\":100.00");

            long overrideAt = System.nanoTime();
            assertThat(new AdminApi(second, "fleet-secret").post(AdminApi.FLAG + "/overrides",
                    "{\"list\":\"deny\",\"subject\":\"session\",\"id\":\"s-1\"}").statusCode()).isEqualTo(201);
            assertThat(awaitVersion(first, "sessionId=s-1", 3, overrideAt)).contains("\"reason\":\"DENYLIST\"");
        }
    }

    private static String awaitVersion(TestApp app, String query, long version, long since) throws InterruptedException {
        String expected = "\"version\":" + version + ",";
        while (System.nanoTime() - since < 1_000_000_000L) {
            HttpResponse<String> response = app.get("/api/v1/assignment?" + query);
            if (response.body().contains(expected)) {
                return response.body();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("Version " + version + " was not served within 1 s by the other instance");
    }
}
