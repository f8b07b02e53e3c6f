package dev.cutover.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the notification outbox to ALERT_WEBHOOK_URL, off every request path: a transition only INSERTs its row
 * (in its own transaction), and this instance's notifier thread POSTs it later, so a dead or slow webhook never delays
 * a pause or a rollback, and a restart never loses a notification (it waits in PostgreSQL).
 *
 * <p>Every 200 ms (real time) the thread claims due rows one at a time by the injected clock
 * ({@link NotificationOutbox#claim}: a one-minute lease, skipping rows another instance holds) and POSTs each one:
 * its payload plus {@code idempotencyKey} and {@code createdAt}, with the same key in an {@code Idempotency-Key}
 * header. 2xx marks it delivered. Anything else is retried after 1 s, 2 s, 4 s … capped at 5 min (each shortened by
 * up to 20 % of jitter, so instances and rows spread out), until the first failure 24 h or more after the row was
 * written: then the row is marked given up (kept for inspection) and logged at ERROR. Delivery is at least once:
 * an instance that dies between the POST and recording it leaves the row leased, and another delivers it again once
 * the lease ends, under the same key. Without a webhook URL rows stay in the outbox. PostgreSQL down: the thread keeps
 * ticking and logs once per outage.
 *
 * <p>Thread-safe: {@link #start} and {@link #close} once each, from the thread that wires the app; {@link #pending}
 * from any thread (a volatile read). Everything else runs on the notifier thread alone.
 */
public final class Notifier implements AutoCloseable {
    /** Gauge of outbox rows neither delivered nor given up, fleet-wide (Prometheus: {@code cutover_notifications_pending}). */
    public static final String PENDING_METRIC = "cutover.notifications.pending";
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);
    /** The longest pause a webhook's Retry-After can ask for. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
    static final double JITTER = 0.2;
    static final Duration GIVE_UP_AFTER = Duration.ofHours(24);
    /** Far longer than one attempt may take (connect + answer timeouts), so a lease never ends while its holder sends. */
    static final Duration LEASE = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final long TICK_MILLIS = 200;
    private static final long COUNT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_PER_TICK = 50;

    private final NotificationOutbox outbox;
    private final Optional<AlertWebhook> webhook;
    private final ObjectMapper json;
    private final Clock clock;
    private final RandomGenerator jitter;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile double pending = Double.NaN;
    private long nextCountNanos = System.nanoTime();
    private boolean databaseFailing;
    private boolean webhookFailing;

    /**
     * A notifier for {@code webhookUrl} (none: it only counts what waits); IllegalArgumentException when the URL is
     * not an http(s) URL. {@code jitter} is read by the notifier thread alone.
     */
    public Notifier(Jdbi jdbi, ObjectMapper json, Optional<String> webhookUrl, Clock clock, RandomGenerator jitter) {
        this(new NotificationOutbox(jdbi), webhookUrl.map(AlertWebhook::at), json, clock, jitter);
    }

    Notifier(NotificationOutbox outbox, Optional<AlertWebhook> webhook, ObjectMapper json, Clock clock,
             RandomGenerator jitter) {
        this.outbox = outbox;
        this.webhook = webhook;
        this.json = json;
        this.clock = clock;
        this.jitter = jitter;
        this.thread = new Thread(this::run, "notifier");
        this.thread.setDaemon(true);
    }

    public void start() {
        webhook.ifPresentOrElse(
                w -> LOG.info("Notifications: rollout changes are POSTed to the alert webhook on {}", w.host()),
                () -> LOG.warn("ALERT_WEBHOOK_URL is not set: rollout notifications are not sent; they stay in "
                        + "notification_outbox, and are sent once it is set"));
        thread.start();
    }

    /** Outbox rows neither delivered nor given up, as last counted (at most a second ago); NaN before the first count. */
    public double pending() {
        return pending;
    }

    private void run() {
        while (running) {
            try {
                tick();
                TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                if (!running) {
                    return;
                }
                // The thread must outlive anything one tick meets, or notifications would silently stop.
                LOG.error("Notifier tick failed; delivery goes on", e);
            }
        }
    }

    private void tick() throws InterruptedException {
        try {
            boolean attempted = webhook.isPresent() && deliverDue(webhook.get());
            if (attempted || System.nanoTime() - nextCountNanos >= 0) {
                pending = outbox.pending();
                nextCountNanos = System.nanoTime() + COUNT_EVERY_NANOS;
            }
            if (databaseFailing) {
                LOG.info("Notifier: PostgreSQL serves the outbox again");
                databaseFailing = false;
            }
        } catch (RuntimeException e) {
            if (running && !databaseFailing) {
                LOG.warn("Notifications wait in the outbox, which PostgreSQL does not serve now ({}); "
                        + "tried again every {} ms", rootMessage(e), TICK_MILLIS);
            }
            databaseFailing = true;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Delivers due rows until none is due or one fails (the rest then waits for the next tick); true if it tried. */
    private boolean deliverDue(AlertWebhook to) throws InterruptedException {
        boolean attempted = false;
        for (int i = 0; i < MAX_PER_TICK && running; i++) {
            Instant now = clock.instant();
            Optional<NotificationOutbox.Claimed> claimed = outbox.claim(now, now.plus(LEASE));
            if (claimed.isEmpty()) {
                break;
            }
            attempted = true;
            if (!deliver(to, claimed.get())) {
                break;
            }
        }
        return attempted;
    }

    private boolean deliver(AlertWebhook to, NotificationOutbox.Claimed row) throws InterruptedException {
        Optional<String> body = body(row);
        if (body.isEmpty()) {
            outbox.gaveUp(row.id(), clock.instant(), "the payload is not a JSON object");
            LOG.error("Gave up on notification {} ({}): its payload is not a JSON object", row.idempotencyKey(), row.kind());
            return true;
        }
        Optional<AlertWebhook.Failure> answer = to.post(row.idempotencyKey(), body.get());
        Optional<String> failure = answer.map(AlertWebhook.Failure::message);
        Instant now = clock.instant();
        int attempts = row.attempts() + 1;
        if (failure.isEmpty()) {
            outbox.delivered(row.id(), now);
            if (webhookFailing) {
                LOG.info("Alert webhook answers again: notification {} delivered after {} attempts", row.idempotencyKey(), attempts);
                webhookFailing = false;
            }
            return true;
        }
        if (!now.isBefore(row.createdAt().plus(GIVE_UP_AFTER))) {
            outbox.gaveUp(row.id(), now, failure.get());
            LOG.error("Gave up on notification {} ({}, written {}) after {} attempts, the last more than {} after "
                    + "it was written: {}. It stays in notification_outbox (gave_up_at); the audit log has the change.",
                    row.idempotencyKey(), row.kind(), row.createdAt(), attempts, DurationText.format(GIVE_UP_AFTER),
                    failure.get());
            return false;
        }
        Duration delay = retryDelay(attempts, jitter);
        Optional<Duration> asked = answer.get().retryAfter().flatMap(header -> retryAfter(header, now));
        if (asked.isPresent() && asked.get().compareTo(delay) > 0) {
            delay = asked.get(); // the webhook asked for a longer pause (Slack's 429 does): honour it
        }
        outbox.failed(row.id(), now, now.plus(delay), failure.get());
        if (!webhookFailing) {
            LOG.warn("Alert webhook failed ({}); notifications are retried with backoff (at most {} apart) "
                    + "for {} after each was written", failure.get(), DurationText.format(MAX_RETRY),
                    DurationText.format(GIVE_UP_AFTER));
            webhookFailing = true;
        } else {
            LOG.debug("Notification {} attempt {} failed ({}); next in {}", row.idempotencyKey(), attempts, failure.get(), delay);
        }
        return false;
    }

    /** The payload as the webhook receives it: with its idempotency key and when it was written. */
    private Optional<String> body(NotificationOutbox.Claimed row) {
        try {
            JsonNode payload = json.readTree(row.payload());
            if (!(payload instanceof ObjectNode object)) {
                return Optional.empty();
            }
            object.put("idempotencyKey", row.idempotencyKey());
            object.put("createdAt", row.createdAt().toString());
            return Optional.of(json.writeValueAsString(object));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * A {@code Retry-After} header's wait: whole seconds or an HTTP date, at most {@link #MAX_RETRY_AFTER} (a webhook
     * cannot park notifications for days); empty when it is neither.
     */
    static Optional<Duration> retryAfter(String header, Instant now) {
        String value = header.strip();
        Duration wait;
        if (!value.isEmpty() && value.length() <= 9 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } else {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        if (wait.isNegative()) {
            return Optional.empty();
        }
        return Optional.of(wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
    }

    /** The wait after the {@code attempts}-th failure: 1 s doubling to at most 5 min, less up to 20 % of jitter. */
    static Duration retryDelay(int attempts, RandomGenerator jitter) {
        long millis = Math.min(FIRST_RETRY.toMillis() << Math.min(Math.max(attempts, 1) - 1, 30), MAX_RETRY.toMillis());
        return Duration.ofMillis(millis - (long) (millis * JITTER * jitter.nextDouble()));
    }

    /** Stops the thread; a POST in flight is abandoned (its row stays leased and is delivered again after the lease). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
