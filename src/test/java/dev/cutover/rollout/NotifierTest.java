package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.HttpTestClient;
import dev.cutover.testing.LogCapture;
import dev.cutover.testing.StoppablePostgres;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollout notifications from the outbox to a real HTTP receiver, on real PostgreSQL, time moved by the injected clock:
 * what the webhook receives, that a failing, hanging or absent webhook delays no transition and loses no notification
 * (restarts and several instances included), each delivered exactly once, with growing backoff and a loud give-up.
 */
class NotifierTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The idempotency keys of the fences {@link #assertNothingMoreArrives} queues; never counted as requests. */
    static final String FENCE = "test-fence:";
    private static final java.util.concurrent.atomic.AtomicInteger fences = new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void aPauseReachesTheWebhookOnceWithItsTextReasonAndIdempotencyKey() {
        TestClock clock = TestClock.atRoundTime();
        try (Receiver receiver = Receiver.start(clock); TestApp app = start(clock, receiver.url())) {
            RolloutApi rollout = RolloutApi.of(app);
            HttpResponse<String> paused = rollout.transition("pause", rollout.version(), "latency looks odd", false);
            assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);

            Received delivery = receiver.awaitDeliveries(1).get(0);
            JsonNode body = delivery.json();
            assertThat(body.path("text").asText()).contains("pause").contains("PAUSED").contains("latency looks odd");
            assertThat(body.path("reason").asText()).isEqualTo("latency looks odd");
            assertThat(body.path("action").asText()).isEqualTo("rollout.pause");
            assertThat(body.path("actor").asText()).isEqualTo("ops");
            assertThat(body.path("idempotencyKey").asText()).isEqualTo("rollout:" + json(paused).path("version").asLong());
            assertThat(delivery.idempotencyKey()).isEqualTo(body.path("idempotencyKey").asText());
            assertThat(delivery.contentType()).startsWith("application/json");
            assertThat(Instant.parse(body.path("createdAt").asText())).isEqualTo(clock.instant());
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE delivered_at IS NOT NULL AND attempts = 1", 1);

            clock.advance(Duration.ofMinutes(10));
            assertNothingMoreArrives(receiver, rollout, clock);
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void aFailingWebhookDelaysNoTransitionAndGetsEachNotificationOnceItRecovers() {
        TestClock clock = TestClock.atRoundTime();
        try (Receiver receiver = Receiver.start(clock); TestApp app = start(clock, receiver.url())) {
            RolloutApi rollout = RolloutApi.of(app);
            receiver.answer(500);
            rollout.ok("pause", false);
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE attempts >= 1 AND last_error LIKE 'HTTP 500%'", 1);
            JsonNode rolledBack = rollout.ok("rollback", false);
            assertThat(rolledBack.path("status").asText()).isEqualTo("ROLLED_BACK");
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE attempts >= 1 AND delivered_at IS NULL", 2);
            assertThat(receiver.deliveries()).as("nothing accepted yet").isEmpty();

            receiver.answer(200);
            clock.advance(Notifier.FIRST_RETRY);
            List<Received> delivered = receiver.awaitDeliveries(2);
            assertThat(delivered).extracting(d -> d.json().path("action").asText())
                    .containsExactlyInAnyOrder("rollout.pause", "rollout.rollback");
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE delivered_at IS NOT NULL", 2);

            clock.advance(Duration.ofHours(1));
            assertNothingMoreArrives(receiver, rollout, clock);
            assertThat(receiver.requests()).as("two refused, two accepted").hasSize(4);
            assertThat(keysOf(receiver.deliveries())).as("each delivered exactly once").doesNotHaveDuplicates();
        }
    }

    @Test
    void aRollbackAnswersAtOnceWhileTheWebhookHoldsTheNotifierInAPost() {
        TestClock clock = TestClock.atRoundTime();
        try (Receiver receiver = Receiver.start(clock); TestApp app = start(clock, receiver.url())) {
            RolloutApi rollout = RolloutApi.of(app);
            receiver.hang();
            rollout.ok("pause", false);
            receiver.awaitRequests(1);

            JsonNode rolledBack = rollout.ok("rollback", false);
            assertThat(rolledBack.path("status").asText()).isEqualTo("ROLLED_BACK");
            // Answered while the webhook still holds the pause's POST: the rollback never waited for it.
            assertThat(receiver.requests()).as("the pause's POST is still held").hasSize(1);
            assertThat(receiver.deliveries()).isEmpty();

            receiver.answer(200);
            assertThat(receiver.awaitDeliveries(2)).extracting(d -> d.json().path("action").asText())
                    .containsExactly("rollout.pause", "rollout.rollback");
        }
    }

    @Test
    void aNotificationTheWebhookNeverGotBeforeARestartIsDeliveredByTheNextApp() {
        TestClock clock = TestClock.atRoundTime();
        Receiver stopped = Receiver.start(clock);
        stopped.close();
        Map<String, String> env;
        try (TestApp first = start(clock, stopped.url())) {
            RolloutApi rollout = RolloutApi.of(first);
            rollout.ok("pause", false);
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE attempts >= 1 AND delivered_at IS NULL", 1);
            env = first.env();
        }
        try (Receiver receiver = Receiver.start(clock);
             TestApp next = TestApp.builder().env(env).env("PORT", "0").env("ALERT_WEBHOOK_URL", receiver.url())
                     .clock(clock).start()) {
            clock.advance(Notifier.FIRST_RETRY);
            Received delivery = receiver.awaitDeliveries(1).get(0);
            assertThat(delivery.json().path("action").asText()).isEqualTo("rollout.pause");
            awaitCount(RolloutApi.of(next), "SELECT count(*) FROM notification_outbox WHERE delivered_at IS NOT NULL", 1);
            assertNothingMoreArrives(receiver, RolloutApi.of(next), clock);
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void aPostCutShortByAShutdownIsDeliveredAgainUnderTheSameKeyOnceItsLeaseEnds() {
        TestClock clock = TestClock.atRoundTime();
        Map<String, String> env;
        String key;
        try (Receiver hanging = Receiver.start(clock); TestApp first = start(clock, hanging.url())) {
            hanging.hang();
            RolloutApi.of(first).ok("pause", false);
            key = hanging.awaitRequests(1).get(0).idempotencyKey();
            env = first.env();
        }
        try (Receiver receiver = Receiver.start(clock);
             TestApp next = TestApp.builder().env(env).env("PORT", "0").env("ALERT_WEBHOOK_URL", receiver.url())
                     .clock(clock).start()) {
            assertNothingMoreArrives(receiver, RolloutApi.of(next), clock);
            assertThat(receiver.requests()).as("leased by the app that was stopped").isEmpty();
            clock.advance(Notifier.LEASE);
            assertThat(receiver.awaitDeliveries(1)).extracting(Received::idempotencyKey).containsExactly(key);
        }
    }

    @Test
    void twoInstancesOnOneDatabaseDeliverEachNotificationExactlyOnce() {
        TestClock clock = TestClock.atRoundTime();
        try (Receiver receiver = Receiver.start(clock); TestApp first = start(clock, receiver.url());
             TestApp second = RolloutApi.second(first, clock)) {
            List<RolloutApi> instances = List.of(RolloutApi.of(first), RolloutApi.of(second));
            List<String> actions = List.of("pause", "resume", "pause", "resume", "rollback", "resume", "resume", "rollback");
            for (int i = 0; i < actions.size(); i++) {
                instances.get(i % 2).ok(actions.get(i), false);
            }
            receiver.awaitDeliveries(actions.size());
            awaitCount(instances.get(0), "SELECT count(*) FROM notification_outbox WHERE delivered_at IS NOT NULL",
                    actions.size());
            clock.advance(Notifier.LEASE.multipliedBy(2));
            assertNothingMoreArrives(receiver, instances.get(0), clock);
            assertThat(keysOf(receiver.requests())).doesNotHaveDuplicates().hasSize(actions.size());
            assertThat(instances.get(0).count("SELECT count(*) FROM notification_outbox WHERE delivered_at IS NOT NULL "
                    + "AND attempts = 1")).isEqualTo(actions.size());
        }
    }

    @Test
    void aWebhookAskingForAPauseWithRetryAfterIsLeftAloneThatLong() {
        TestClock clock = TestClock.atRoundTime();
        try (Receiver receiver = Receiver.start(clock); TestApp app = start(clock, receiver.url())) {
            RolloutApi rollout = RolloutApi.of(app);
            receiver.answer(429, "120");
            rollout.ok("pause", false);
            receiver.awaitRequests(1);
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE attempts = 1", 1);
            assertThat(rollout.count("SELECT extract(epoch FROM next_attempt_at - last_attempt_at)::bigint "
                    + "FROM notification_outbox")).as("the webhook's 120 s, not the backoff's 1 s").isEqualTo(120);
            clock.advance(Duration.ofSeconds(119));
            assertNothingMoreArrives(receiver, rollout, clock);
            receiver.answer(200);
            clock.advance(Duration.ofSeconds(1));
            List<Received> delivered = receiver.awaitDeliveries(1);
            assertThat(Duration.between(receiver.requests().get(0).at(), delivered.get(0).at()))
                    .isEqualTo(Duration.ofSeconds(120));
        }
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDateAndAtMostAnHour() {
        Instant now = Instant.parse("2026-11-30T12:00:00Z");
        assertThat(Notifier.retryAfter("30", now)).contains(Duration.ofSeconds(30));
        assertThat(Notifier.retryAfter(" 0 ", now)).contains(Duration.ZERO);
        assertThat(Notifier.retryAfter("Mon, 30 Nov 2026 12:02:00 GMT", now)).contains(Duration.ofMinutes(2));
        assertThat(Notifier.retryAfter("999999999", now)).contains(Notifier.MAX_RETRY_AFTER);
        assertThat(Notifier.retryAfter("Mon, 30 Nov 2026 11:00:00 GMT", now)).as("in the past").isEmpty();
        for (String junk : List.of("", "-5", "1.5", "soon", "99999999999999999999", "+30")) {
            assertThat(Notifier.retryAfter(junk, now)).as(junk).isEmpty();
        }
    }

    @Test
    void eachFailedAttemptWaitsLongerByTheClockUntilTheCap() {
        TestClock clock = TestClock.atRoundTime();
        try (Receiver receiver = Receiver.start(clock); TestApp app = start(clock, receiver.url())) {
            RolloutApi rollout = RolloutApi.of(app);
            receiver.answer(503);
            rollout.ok("pause", false);
            List<Long> delays = new ArrayList<>();
            for (int attempts = 1; attempts <= 12; attempts++) {
                awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE attempts = " + attempts, 1);
                long delay = rollout.count("SELECT (extract(epoch FROM next_attempt_at - last_attempt_at) * 1000)::bigint "
                        + "FROM notification_outbox");
                long full = Math.min(Notifier.FIRST_RETRY.toMillis() << (attempts - 1), Notifier.MAX_RETRY.toMillis());
                assertThat(delay).as("delay after attempt " + attempts)
                        .isLessThanOrEqualTo(full).isGreaterThanOrEqualTo((long) (full * (1 - Notifier.JITTER)));
                delays.add(delay);
                clock.advance(Duration.ofMillis(delay));
            }
            assertThat(delays.subList(0, 9)).as("doubling up to 256 s").isSorted().doesNotHaveDuplicates();
            List<Instant> attemptsAt = receiver.requests().stream().map(Received::at).toList();
            assertThat(attemptsAt).hasSize(12);
            for (int i = 1; i < 10; i++) {
                Duration gap = Duration.between(attemptsAt.get(i - 1), attemptsAt.get(i));
                assertThat(gap).as("the webhook saw attempt " + (i + 1) + " after the wait").isEqualTo(Duration.ofMillis(delays.get(i - 1)));
            }
            assertThat(rollout.count("SELECT count(*) FROM notification_outbox WHERE last_error LIKE 'HTTP 503%'")).isEqualTo(1);
        }
    }

    @Test
    void afterTwentyFourHoursOfFailuresTheNotifierGivesUpLoudlyAndStopsTrying() {
        TestClock clock = TestClock.atRoundTime();
        try (Receiver receiver = Receiver.start(clock); TestApp app = start(clock, receiver.url())) {
            RolloutApi rollout = RolloutApi.of(app);
            receiver.answer(500);
            rollout.ok("pause", false);
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE attempts = 1", 1);
            assertThat(metrics(app)).contains("cutover_notifications_pending 1.0");

            int mark = LogCapture.mark();
            clock.advance(Notifier.GIVE_UP_AFTER);
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE gave_up_at IS NOT NULL AND attempts = 2", 1);
            assertThat(LogCapture.errorsSince(mark)).anySatisfy(line -> assertThat(line).contains("Gave up on notification"));
            Eventually.await(WAIT, "the pending gauge at 0", () -> metrics(app),
                    body -> body.contains("cutover_notifications_pending 0.0"));

            receiver.answer(200);
            clock.advance(Duration.ofDays(1));
            assertNothingMoreArrives(receiver, rollout, clock);
            assertThat(receiver.requests()).as("the first attempt and the last").hasSize(2);
        }
    }

    /**
     * Fault: PostgreSQL stops under a running app with a notification waiting for its retry, then comes back with the
     * same data. Must not be lost: the notification (delivered once, after the outage) and the notifier thread.
     */
    @Test
    void aNotificationWaitingWhenPostgresStopsIsDeliveredOnceItReturns(@TempDir Path postgresData) throws IOException {
        TestClock clock = TestClock.atRoundTime();
        StoppablePostgres postgres = StoppablePostgres.started(postgresData);
        try (Receiver receiver = Receiver.start(clock);
             TestApp app = TestApp.builder().env("DATABASE_URL", postgres.url())
                     .env("ADMIN_TOKEN", "ops:" + RolloutApi.ADMIN).env("ALERT_WEBHOOK_URL", receiver.url())
                     .clock(clock).start()) {
            RolloutApi rollout = RolloutApi.of(app);
            receiver.answer(500);
            rollout.ok("pause", false);
            receiver.awaitRequests(1);
            int mark = LogCapture.mark();

            postgres.stop();
            Eventually.await(WAIT, "/health seeing PostgreSQL down", () -> app.get("/health").body(),
                    body -> !body.startsWith("{\"status\":\"UP\""));
            receiver.answer(200);
            clock.advance(Duration.ofMinutes(1));
            postgres.start();

            Received delivery = receiver.awaitDeliveries(1).get(0);
            assertThat(delivery.json().path("action").asText()).isEqualTo("rollout.pause");
            awaitCount(rollout, "SELECT count(*) FROM notification_outbox WHERE delivered_at IS NOT NULL AND attempts = 2", 1);
            assertNothingMoreArrives(receiver, rollout, clock);
            assertThat(receiver.requests()).hasSize(2);
            assertThat(LogCapture.errorsSince(mark)).as("the outage is a WARN, never an ERROR of the notifier")
                    .noneSatisfy(line -> assertThat(line).contains("ERROR " + Notifier.class.getName()));
        } finally {
            postgres.stop();
        }
    }

    @Test
    void withoutAWebhookUrlNotificationsStayInTheOutboxAndAreCounted() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            rollout.ok("pause", false);
            rollout.ok("resume", false);
            Eventually.await(WAIT, "the pending gauge at 2", () -> metrics(app),
                    body -> body.contains("cutover_notifications_pending 2.0"));
            assertThat(rollout.count("SELECT count(*) FROM notification_outbox WHERE attempts = 0 AND delivered_at IS NULL"))
                    .isEqualTo(2);
        }
    }

    private static TestApp start(TestClock clock, String webhookUrl) {
        return TestApp.builder().env("ADMIN_TOKEN", "ops:" + RolloutApi.ADMIN).env("EVENTS_RATE_LIMIT", "0")
                .env("ALERT_WEBHOOK_URL", webhookUrl).clock(clock).start();
    }



    private static String metrics(TestApp app) {
        return app.get("/metrics").body();
    }

    private static void awaitCount(RolloutApi rollout, String sql, long expected) {
        Eventually.await(WAIT, sql + " = " + expected, () -> rollout.count(sql), n -> n == expected);
    }

    /**
     * Proves that the notifier, looking at the outbox at the clock's present time, sends nothing more: a fence row due
     * now is queued behind everything (rows are claimed in order of when they are due), so once the fence reaches the
     * webhook every row due at that time has been attempted too. The fence is removed again, so counts of the outbox
     * and of the receiver's requests are the test's own.
     */
    private static void assertNothingMoreArrives(Receiver receiver, RolloutApi rollout, TestClock clock) {
        int before = receiver.requests().size();
        String key = FENCE + fences.incrementAndGet();
        String at = "'" + clock.instant() + "'";
        rollout.count("INSERT INTO notification_outbox (created_at, idempotency_key, kind, payload, next_attempt_at) "
                + "VALUES (" + at + ", '" + key + "', 'test.fence', '{\"text\": \"fence\"}', " + at + ") RETURNING 1");
        Eventually.await(WAIT, "the fence " + key + " at the webhook", () -> receiver.sawFence(key));
        rollout.count("WITH gone AS (DELETE FROM notification_outbox WHERE idempotency_key = '" + key
                + "' RETURNING 1) SELECT count(*) FROM gone");
        assertThat(receiver.requests()).as("requests once the notifier has looked at the outbox again").hasSize(before);
    }

    private static List<String> keysOf(List<Received> received) {
        return received.stream().map(Received::idempotencyKey).toList();
    }

    /** One POST the receiver got: its body, headers, the injected clock at receipt, and the status it answered. */
    record Received(String body, String idempotencyKey, String contentType, Instant at, int status) {
        JsonNode json() {
            return HttpTestClient.json(body);
        }
    }

    /**
     * The alert webhook as a local HTTP server: records every POST and answers 200, another status, or holds the
     * request until told how to answer. Thread-safe (requests are handled on a pool).
     */
    static final class Receiver implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService pool = Executors.newCachedThreadPool();
        private final Clock clock;
        private final List<Received> requests = new CopyOnWriteArrayList<>();
        private volatile int status = 200;
        private volatile String retryAfter;
        private volatile CountDownLatch held = new CountDownLatch(0);

        private Receiver(HttpServer server, Clock clock) {
            this.server = server;
            this.clock = clock;
        }

        static Receiver start(Clock clock) {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                Receiver receiver = new Receiver(server, clock);
                server.createContext("/hooks/alerts", receiver::handle);
                server.setExecutor(receiver.pool);
                server.start();
                return receiver;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/alerts";
        }

        /** Answers {@code status} from now on, releasing any held request with it. */
        void answer(int status) {
            answer(status, null);
        }

        /** Answers {@code status} with a {@code Retry-After} header (none when null) from now on. */
        void answer(int status, String retryAfter) {
            this.retryAfter = retryAfter;
            this.status = status;
            held.countDown();
        }

        /** Holds every request from now on until {@link #answer}. */
        void hang() {
            held = new CountDownLatch(1);
        }

        /** Every POST but the tests' fences. */
        List<Received> requests() {
            return requests.stream().filter(r -> !isFence(r)).toList();
        }

        boolean sawFence(String key) {
            return requests.stream().anyMatch(r -> key.equals(r.idempotencyKey()));
        }

        private static boolean isFence(Received r) {
            return r.idempotencyKey() != null && r.idempotencyKey().startsWith(FENCE);
        }

        /** The requests it answered 2xx. */
        List<Received> deliveries() {
            return requests().stream().filter(r -> r.status() / 100 == 2).toList();
        }

        List<Received> awaitRequests(int count) {
            return Eventually.await(WAIT, count + " requests to the webhook", this::requests, r -> r.size() >= count);
        }

        List<Received> awaitDeliveries(int count) {
            return Eventually.await(WAIT, count + " deliveries to the webhook", this::deliveries, r -> r.size() >= count);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Instant at = clock.instant();
                int index;
                synchronized (requests) {
                    index = requests.size();
                    requests.add(new Received(body, exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                            exchange.getRequestHeaders().getFirst("Content-Type"), at, 0));
                }
                try {
                    held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                int answered = status;
                Received received = requests.get(index);
                requests.set(index, new Received(received.body(), received.idempotencyKey(), received.contentType(),
                        received.at(), answered));
                byte[] answer = (answered == 200 ? "ok" : "no_service").getBytes(StandardCharsets.UTF_8);
                String wait = retryAfter;
                if (answered != 200 && wait != null) {
                    exchange.getResponseHeaders().set("Retry-After", wait);
                }
                exchange.sendResponseHeaders(answered, answer.length);
                exchange.getResponseBody().write(answer);
            }
        }

        @Override
        public void close() {
            held.countDown();
            server.stop(0);
            pool.shutdownNow();
        }
    }
}
