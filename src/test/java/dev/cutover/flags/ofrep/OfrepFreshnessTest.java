package dev.cutover.flags.ofrep;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.flags.FlagSnapshot;
import dev.cutover.flags.FlagSnapshots;
import dev.cutover.flags.FlagStatus;
import dev.cutover.http.ErrorResponses;
import dev.cutover.http.JsonMapping;
import dev.cutover.testing.Eventually;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bulk re-fetch that names a newer flag version (flagConfigEtag, from another instance's event stream) is answered
 * with that version once this instance loads it, not with the state it had when the request arrived.
 */
class OfrepFreshnessTest {
    private final FlagSnapshots snapshots = new FlagSnapshots();
    private final ExecutorService resumers = SnapshotVersionWaiter.resumerPool();
    private Javalin http;
    private SnapshotVersionWaiter waiter;

    @BeforeEach
    void start() {
        snapshots.replace(snapshot(1));
        waiter = new SnapshotVersionWaiter(snapshots, SnapshotVersionWaiter.DEFAULT_WAIT,
                SnapshotVersionWaiter.DEFAULT_MAX_WAITING, resumers);
        OfrepRoutes routes = new OfrepRoutes(new OfrepEvaluation(snapshots), waiter);
        http = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(JsonMapping.objectMapper(), false));
            config.startup.showJavalinBanner = false;
            ErrorResponses.install(config);
            routes.register(config);
        }).start(0);
    }

    @AfterEach
    void stop() {
        http.stop();
        resumers.shutdownNow();
    }

    @Test
    void aRefetchForAVersionNotYetLoadedIsAnsweredOnceItIsLoaded() throws Exception {
        CompletableFuture<HttpResponse<String>> response = refetch("\"5-0123456789ab\"");
        Eventually.await(Duration.ofSeconds(5), "the refetch waiting for version 5", () -> waiter.waiting() == 1);
        assertThat(response).as("held until version 5 is loaded").isNotDone();

        snapshots.replace(snapshot(5));

        HttpResponse<String> answered = response.get(2, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(json(answered.body()).get("metadata").get("version").asLong()).isEqualTo(5);
    }

    @Test
    void aRefetchForAVersionThatNeverArrivesIsAnsweredAfterTheWaitWithWhatIsLoaded() throws Exception {
        long startedAt = System.nanoTime();
        HttpResponse<String> answered = refetch("\"99-0123456789ab\"").get(5, TimeUnit.SECONDS);

        assertThat((System.nanoTime() - startedAt) / 1_000_000).isGreaterThanOrEqualTo(SnapshotVersionWaiter.DEFAULT_WAIT.toMillis() - 50);
        assertThat(json(answered.body()).get("metadata").get("version").asLong()).isEqualTo(1);
    }

    @Test
    void aRefetchForTheLoadedVersionOrAMalformedTagIsAnsweredAtOnce() throws Exception {
        for (String tag : List.of("\"1-0123456789ab\"", "not-a-tag", "\"\"", "99999999999999999999999")) {
            assertThat(refetch(tag).get(1, TimeUnit.SECONDS).statusCode()).as(tag).isEqualTo(200);
        }
    }

    private CompletableFuture<HttpResponse<String>> refetch(String flagConfigEtag) {
        URI uri = URI.create("http://127.0.0.1:" + http.port() + "/ofrep/v1/evaluate/flags?flagConfigEtag="
                + URLEncoder.encode(flagConfigEtag, StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"context\":{\"targetingKey\":\"tab\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static FlagSnapshot snapshot(long version) {
        return FlagSnapshot.of(FlagSnapshot.FLAG_KEY, new BigDecimal("10.00"), FlagStatus.ACTIVE, version,
                Instant.ofEpochSecond(1_700_000_000L + version), List.of(), Instant.now());
    }
}
