package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void healthReportsTheDatabaseAndTheVersion() {
        try (TestApp app = TestApp.start()) {
            HttpResponse<String> response = app.get("/health");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"database\":{\"status\":\"UP\",\"reachable\":true}");
            assertThat(response.body()).contains("\"version\":\"" + App.VERSION + "\"");
        }
    }

    @Test
    void unknownRoutesAnswerWithAJsonError() {
        try (TestApp app = TestApp.start()) {
            HttpResponse<String> response = app.get("/no/such/thing");
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("application/json"));
            assertThat(response.body()).contains("\"error\":\"not_found\"");
        }
    }
}
