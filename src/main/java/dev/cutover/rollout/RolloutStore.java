package dev.cutover.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * SQL for the rollout row, its phase history and the notification outbox. Writes take the caller's {@link Handle},
 * so a transition, the flag projection, its audit row, its outbox row and the NOTIFY commit together. Thread-safe
 * (stateless over Jdbi).
 */
public final class RolloutStore {
    private static final String COLUMNS = """
            plan::text AS plan, plan_version, status, phase, rolled_back_from, entered_at, version, updated_at,
            judged_since""";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM rollout WHERE id = 1";
    private static final String SEED = """
            INSERT INTO rollout (id, plan, plan_version, status, phase, entered_at, version, updated_at, judged_since)
            VALUES (1, CAST(:plan AS jsonb), 1, 'ACTIVE', 0, :now, 1, :now, :now)
            ON CONFLICT (id) DO NOTHING
            """;
    private static final String UPDATE_STATE = """
            UPDATE rollout
               SET status = :status, phase = :phase, rolled_back_from = :rolledBackFrom, entered_at = :enteredAt,
                   judged_since = :judgedSince, version = version + 1, updated_at = :now
             WHERE id = 1 AND version = :expectedVersion
            RETURNING""" + " " + COLUMNS;
    private static final String UPDATE_PLAN = """
            UPDATE rollout
               SET plan = CAST(:plan AS jsonb), plan_version = plan_version + 1, version = version + 1, updated_at = :now,
                   judged_since = :now
             WHERE id = 1 AND plan_version = :expectedPlanVersion
            RETURNING""" + " " + COLUMNS;
    private static final String OPEN_PHASE = """
            INSERT INTO rollout_phases (phase, phase_name, entered_at, entered_by, forced, reason)
            VALUES (:phase, :name, :at, :by, :forced, :reason)
            """;
    private static final String CLOSE_PHASE = "UPDATE rollout_phases SET left_at = :at WHERE left_at IS NULL";
    private static final String INSERT_OUTBOX = """
            INSERT INTO notification_outbox (created_at, idempotency_key, kind, payload, next_attempt_at)
            VALUES (:at, :key, :kind, CAST(:payload AS jsonb), :at)
            """;

    private final Jdbi jdbi;
    private final ObjectMapper json;

    public RolloutStore(Jdbi jdbi, ObjectMapper json) {
        this.jdbi = jdbi;
        this.json = json;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /** Creates the row with {@code plan} at its first phase, ACTIVE, unless it exists; true when it was created. */
    boolean seed(Handle handle, RolloutPlan plan, Instant now) {
        boolean created = handle.createUpdate(SEED).bind("plan", toJson(plan)).bind("now", Timestamp.from(now))
                .execute() == 1;
        if (created) {
            openPhase(handle, 0, plan.phase(0).name(), now, "system", false, "rollout created with the default plan");
        }
        return created;
    }

    Optional<RolloutState> find(Handle handle) {
        return handle.createQuery(SELECT).map(this::state).findOne();
    }

    /** Locks the rollout row until the transaction ends, so transitions are serialised. */
    Optional<RolloutState> lock(Handle handle) {
        return handle.createQuery(SELECT + " FOR UPDATE").map(this::state).findOne();
    }

    /** Writes the new state only if the row is still at {@code expectedVersion}; empty otherwise. */
    Optional<RolloutState> updateState(Handle handle, RolloutState next, long expectedVersion, Instant now) {
        return handle.createQuery(UPDATE_STATE)
                .bind("status", next.status().name())
                .bind("phase", next.phase())
                .bind("rolledBackFrom", next.rolledBackFrom())
                .bind("enteredAt", Timestamp.from(next.enteredAt()))
                .bind("judgedSince", Timestamp.from(next.judgedSince()))
                .bind("now", Timestamp.from(now))
                .bind("expectedVersion", expectedVersion)
                .map(this::state)
                .findOne();
    }

    /** Replaces the plan only if it is still at {@code expectedPlanVersion}; bumps both versions. */
    Optional<RolloutState> updatePlan(Handle handle, RolloutPlan plan, long expectedPlanVersion, Instant now) {
        return handle.createQuery(UPDATE_PLAN)
                .bind("plan", toJson(plan))
                .bind("expectedPlanVersion", expectedPlanVersion)
                .bind("now", Timestamp.from(now))
                .map(this::state)
                .findOne();
    }

    void closePhase(Handle handle, Instant at) {
        handle.createUpdate(CLOSE_PHASE).bind("at", Timestamp.from(at)).execute();
    }

    void openPhase(Handle handle, int phase, String name, Instant at, String by, boolean forced, String reason) {
        handle.createUpdate(OPEN_PHASE).bind("phase", phase).bind("name", name).bind("at", Timestamp.from(at))
                .bind("by", by).bind("forced", forced).bind("reason", reason).execute();
    }

    /** Queues a notification; its key makes a second write of the same event fail rather than notify twice. */
    void enqueue(Handle handle, String idempotencyKey, String kind, Object payload, Instant at) {
        handle.createUpdate(INSERT_OUTBOX).bind("key", idempotencyKey).bind("kind", kind)
                .bind("payload", toJson(payload)).bind("at", Timestamp.from(at)).execute();
    }

    private RolloutState state(ResultSet rs, StatementContext ctx) throws SQLException {
        int from = rs.getInt("rolled_back_from");
        Integer rolledBackFrom = rs.wasNull() ? null : from;
        return new RolloutState(fromJson(rs.getString("plan")), rs.getLong("plan_version"),
                RolloutStatus.valueOf(rs.getString("status")), rs.getInt("phase"),
                rolledBackFrom, instant(rs, "entered_at"), rs.getLong("version"),
                instant(rs, "updated_at"), instant(rs, "judged_since"));
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot be written as JSON: " + value, e);
        }
    }

    private RolloutPlan fromJson(String text) {
        try {
            return json.readValue(text, RolloutPlan.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rollout.plan holds a plan that cannot be read", e);
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
