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

    @Test
    void metrics_carry_the_processs_own_memory_gc_and_thread_meters_beside_the_services() {
        try (TestApp app = TestApp.start()) {
            String metrics = app.get("/metrics").body();
            assertThat(metrics).containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\".*\\} [0-9.E]+$")
                    .containsPattern("(?m)^jvm_memory_max_bytes\\{area=\"heap\"")
                    .containsPattern("(?m)^jvm_threads_live_threads [1-9]")
                    .containsPattern("(?m)^process_uptime_seconds ")
                    .contains("cutover_whisper_model_loaded");
        }
    }

    @Test
    void unknown_routes_point_at_the_api_reference() {
        try (TestApp app = TestApp.start()) {
            assertThat(app.get("/no/such/thing").body()).contains("/docs");
        }
    }
}
