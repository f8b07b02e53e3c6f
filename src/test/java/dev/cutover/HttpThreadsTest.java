package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestApp;
import org.junit.jupiter.api.Test;

class HttpThreadsTest {

    @Test
    void theSmallestHttpThreadPoolStillServesRequests() {
        try (TestApp app = TestApp.builder().env("HTTP_THREADS", "1").start()) {
            for (int i = 0; i < 20; i++) {
                assertThat(app.get("/api/v1/assignment?sessionId=s-" + i).statusCode()).isEqualTo(200);
            }
            assertThat(app.get("/health").statusCode()).isEqualTo(200);
        }
    }
}
