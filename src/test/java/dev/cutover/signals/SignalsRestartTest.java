package dev.cutover.signals;

import static dev.cutover.signals.SignalsFleetTest.attempt;
import static dev.cutover.signals.SignalsFleetTest.postEvents;
import static dev.cutover.signals.SignalsFleetTest.view;
import static dev.cutover.testing.AdminApi.provider;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import dev.cutover.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fault: an instance with a fixed INSTANCE_ID is stopped gracefully and started again within the same 10-second window
 * (a quick rolling restart; found with bench/chaos.sh). Load: client events before and after the restart. What must
 * not be lost: the events counted before the restart, which the graceful stop flushed into that window's row.
 */
class SignalsRestartTest {
    @Test
    void anInstanceRestartedUnderTheSameIdWithinAWindowKeepsTheEventsItCountedBeforeTheRestart() {
        TestClock clock = TestClock.atRoundTime();
        Map<String, String> env = Map.of("DATABASE_URL", TestDatabases.createFresh(), "INSTANCE_ID", "fixed-id",
                "ADMIN_TOKEN", "ops:" + SignalsFleetTest.ADMIN);
        clock.advance(Duration.ofSeconds(1));
        try (TestApp before = TestApp.builder().env(env).clock(clock).start()) {
            send(before, "before", 4);
        }
        clock.advance(Duration.ofSeconds(3));
        try (TestApp after = TestApp.builder().env(env).clock(clock).start()) {
            send(after, "after", 3);
            clock.advance(Duration.ofSeconds(12));
            Eventually.await(Duration.ofSeconds(10), "the window flushed with the events of both lives",
                    () -> provider(view(after, "10m"), "whisper", "client").path("attempts").asLong(),
                    attempts -> attempts == 7);
        }
    }

    private static void send(TestApp app, String prefix, int attempts) {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < attempts; i++) {
            events.append(i == 0 ? "" : ",").append(attempt(prefix + "-" + i, "whisper", "ok", 500, 1000));
        }
        HttpResponse<String> response = postEvents(app, "{\"events\":[" + events + "]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
