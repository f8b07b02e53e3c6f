package dev.cutover.rollout;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * SQL for delivering the notification outbox (rows are written by {@link RolloutStore#enqueue} in each transition's
 * transaction). A row is claimed by pushing its {@code next_attempt_at} past a lease, in one statement that skips rows
 * another instance holds, so two instances never deliver the same row at once; the outcome of the attempt then sets
 * {@code delivered_at}, the next attempt or {@code gave_up_at}. Thread-safe (stateless over Jdbi).
 */
final class NotificationOutbox {
    private static final String PENDING = "delivered_at IS NULL AND gave_up_at IS NULL";
    private static final String CLAIM = """
            UPDATE notification_outbox
               SET next_attempt_at = :leaseUntil
             WHERE id = (SELECT id FROM notification_outbox
                          WHERE %s AND next_attempt_at <= :now
                          ORDER BY next_attempt_at, id
                          LIMIT 1
                          FOR UPDATE SKIP LOCKED)
            RETURNING id, idempotency_key, kind, payload::text AS payload, created_at, attempts
            """.formatted(PENDING);
    private static final String DELIVERED = """
            UPDATE notification_outbox
               SET delivered_at = :now, attempts = attempts + 1, last_attempt_at = :now, last_error = NULL
             WHERE id = :id
            """;
    private static final String FAILED = """
            UPDATE notification_outbox
               SET attempts = attempts + 1, last_attempt_at = :now, next_attempt_at = :next, last_error = :error
             WHERE id = :id
            """;
    private static final String GAVE_UP = """
            UPDATE notification_outbox
               SET attempts = attempts + 1, last_attempt_at = :now, gave_up_at = :now, last_error = :error
             WHERE id = :id
            """;
    private static final String COUNT_PENDING = "SELECT count(*) FROM notification_outbox WHERE " + PENDING;
    private static final int MAX_ERROR_LENGTH = 500;

    /** A claimed row: what to send, and how many attempts came before this one. */
    record Claimed(long id, String idempotencyKey, String kind, String payload, Instant createdAt, int attempts) {
    }

    private final Jdbi jdbi;

    NotificationOutbox(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * The oldest due row that no other instance holds, now held by this one until {@code leaseUntil} (after that, if
     * this instance never reported the outcome, another may deliver it again under the same idempotency key).
     */
    Optional<Claimed> claim(Instant now, Instant leaseUntil) {
        return jdbi.withHandle(handle -> handle.createQuery(CLAIM)
                .bind("now", Timestamp.from(now))
                .bind("leaseUntil", Timestamp.from(leaseUntil))
                .map(ConstructorMapper.of(Claimed.class))
                .findOne());
    }

    void delivered(long id, Instant now) {
        jdbi.useHandle(handle -> handle.createUpdate(DELIVERED).bind("id", id).bind("now", Timestamp.from(now)).execute());
    }

    void failed(long id, Instant now, Instant next, String error) {
        jdbi.useHandle(handle -> handle.createUpdate(FAILED).bind("id", id).bind("now", Timestamp.from(now))
                .bind("next", Timestamp.from(next)).bind("error", truncated(error)).execute());
    }

    void gaveUp(long id, Instant now, String error) {
        jdbi.useHandle(handle -> handle.createUpdate(GAVE_UP).bind("id", id).bind("now", Timestamp.from(now))
                .bind("error", truncated(error)).execute());
    }

    /** Rows neither delivered nor given up (due now or waiting for their next attempt). */
    long pending() {
        return jdbi.withHandle(handle -> handle.createQuery(COUNT_PENDING).mapTo(Long.class).one());
    }

    private static String truncated(String error) {
        return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
    }
}
