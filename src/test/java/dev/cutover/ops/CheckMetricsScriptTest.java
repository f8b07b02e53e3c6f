package dev.cutover.ops;

import static dev.cutover.ops.CronScript.CHECK_METRICS;
import static dev.cutover.ops.CronScript.env;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import dev.cutover.testing.Uploads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/check_metrics.sh against the real service after real transcriptions (the generated model): quiet within the
 * thresholds or under MIN_SAMPLES, one line naming every crossed threshold with its measured value otherwise.
 */
class CheckMetricsScriptTest {
    private static final String SECRET = "cron-secret";
    private static final Duration FLUSHED = Duration.ofSeconds(20);

    @BeforeEach
    void toolsPresent() {
        CronScript.assumeToolsPresent();
    }

    @Test
    void thresholdsTheTrafficMeetsAreQuietAndCrossedOnesAreListedOnOneLine() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "cron:" + SECRET).clock(clock).start()) {
            byte[] clip = Uploads.freshWav(1.0);
            for (int i = 0; i < 10; i++) {
                assertThat(Uploads.transcribe(app, clip).statusCode()).isEqualTo(200);
            }
            clock.advance(FLUSHED);
            JsonNode whisper = serverSignals(app, 10);
            assertThat(whisper.path("cacheHits").asLong()).isEqualTo(9);
            long p95 = whisper.path("latencyMs").path("p95").asLong();
            assertThat(p95).as("the P95 of real transcriptions, in ms").isPositive();

            assertThat(CHECK_METRICS.run(checking(app, "MIN_SAMPLES", "5", "P95_MAX_MS", "60000", "CACHE_HIT_MIN", "0.5")))
                    .isEqualTo(new CronScript.Run(0, ""));
            assertThat(CHECK_METRICS.run(checking(app, "MIN_SAMPLES", "5", "P95_MAX_MS", String.valueOf(p95 - 1),
                    "CACHE_HIT_MIN", "0.95")))
                    .isEqualTo(new CronScript.Run(1, "check_metrics: whisper/server over 15m: P95 " + p95 + "ms > "
                            + (p95 - 1) + "ms (10 attempts); cache hit rate 90% (9/10) < 95% (" + app.baseUrl() + ")\n"));
            // The same crossed thresholds, judged only from 11 samples: too few to say anything.
            assertThat(CHECK_METRICS.run(checking(app, "MIN_SAMPLES", "11", "P95_MAX_MS", "0", "CACHE_HIT_MIN", "0.95")))
                    .isEqualTo(new CronScript.Run(0, ""));
        }
    }

    @Test
    void anErrorRateOverTheThresholdFailsOnceThereAreEnoughSamples(@TempDir Path dir) {
        TestClock clock = TestClock.atRoundTime();
        // No model: every upload is answered 503 model_not_loaded, a failure of the service.
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "cron:" + SECRET).clock(clock)
                .env("WHISPER_MODEL", dir.resolve("missing.bin").toString()).start()) {
            for (int i = 0; i < 6; i++) {
                assertThat(Uploads.transcribe(app, Uploads.freshWav(0.5)).statusCode()).isEqualTo(503);
            }
            clock.advance(FLUSHED);
            serverSignals(app, 6);

            assertThat(CHECK_METRICS.run(checking(app, "MIN_SAMPLES", "7", "P95_MAX_MS", "60000")))
                    .isEqualTo(new CronScript.Run(0, ""));
            assertThat(CHECK_METRICS.run(checking(app, "MIN_SAMPLES", "6", "P95_MAX_MS", "60000", "ERROR_RATE_MAX", "0.05")))
                    .isEqualTo(new CronScript.Run(1, "check_metrics: whisper/server over 15m: error rate 100% (6/6) > 5% ("
                            + app.baseUrl() + ")\n"));
        }
    }

    @Test
    void anUnreachableServiceIsOneLineAndExitThreeAndABadThresholdExitTwo() {
        String down = CronScript.closedUrl();

        assertThat(CHECK_METRICS.run(env("CUTOVER_URL", down, "ADMIN_TOKEN", SECRET))).isEqualTo(new CronScript.Run(3,
                "check_metrics: cannot read the signals: connection refused (" + down + "/api/v1/signals?window=15m)\n"));
        CronScript.Run badThreshold = CHECK_METRICS.run(env("CUTOVER_URL", down, "ADMIN_TOKEN", SECRET, "ERROR_RATE_MAX", "1%"));
        assertThat(badThreshold.exitCode()).isEqualTo(2);
        assertThat(badThreshold.output()).startsWith("check_metrics: ERROR_RATE_MAX='1%' is not a fraction").hasLineCount(1);
    }

    private static Map<String, String> checking(TestApp app, String... more) {
        Map<String, String> env = env(more);
        env.put("CUTOVER_URL", app.baseUrl());
        env.put("ADMIN_TOKEN", "cron:" + SECRET);
        return env;
    }

    /** The fleet's whisper/server row over 15 minutes once {@code attempts} requests are in it. */
    private static JsonNode serverSignals(TestApp app, long attempts) {
        AdminApi admin = new AdminApi(app, SECRET);
        return Eventually.await(Duration.ofSeconds(10), attempts + " whisper/server attempts in the signals",
                () -> AdminApi.provider(admin.signals("15m"), "whisper", "server"), w -> w.path("attempts").asLong() == attempts);
    }
}
