package dev.cutover.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * SQL for the guard: its memory between runs ({@code guard_state}, one row), the evaluations it keeps for 7 days
 * and the alert notifications it queues. Thread-safe (stateless over Jdbi).
 */
final class GuardStore {
    private static final String LOAD = """
            SELECT judged_since, plan_version, phase, last_run_at, detectors::text AS detectors, fed::text AS fed,
                   verdicts::text AS verdicts, instance_id
              FROM guard_state WHERE id = 1
            """;
    private static final String SAVE = """
            INSERT INTO guard_state (id, judged_since, plan_version, phase, last_run_at, detectors, fed, verdicts,
                                     instance_id)
            VALUES (1, :judgedSince, :planVersion, :phase, :lastRunAt, CAST(:detectors AS jsonb), CAST(:fed AS jsonb),
                    CAST(:verdicts AS jsonb), :instanceId)
            ON CONFLICT (id) DO UPDATE SET judged_since = EXCLUDED.judged_since, plan_version = EXCLUDED.plan_version,
                phase = EXCLUDED.phase, last_run_at = EXCLUDED.last_run_at, detectors = EXCLUDED.detectors,
                fed = EXCLUDED.fed, verdicts = EXCLUDED.verdicts, instance_id = EXCLUDED.instance_id
            """;
    private static final String INSERT_EVALUATION = """
            INSERT INTO rollout_evaluations (at, instance_id, rollout_version, phase, phase_name, status, outcome,
                                             rules, criteria)
            VALUES (:at, :instanceId, :rolloutVersion, :phase, :phaseName, :status, :outcome, CAST(:rules AS jsonb),
                    CAST(:criteria AS jsonb))
            """;
    private static final String SELECT_EVALUATIONS = """
            SELECT id, at, instance_id, rollout_version, phase, phase_name, status, outcome, rules::text AS rules,
                   criteria::text AS criteria
              FROM rollout_evaluations
             WHERE at >= :from AND at < :to AND id < :before
            """;
    private static final String INSERT_ALERT = """
            INSERT INTO notification_outbox (created_at, idempotency_key, kind, payload, next_attempt_at)
            VALUES (:at, :key, 'rollout.alert', CAST(:payload AS jsonb), :at)
            ON CONFLICT (idempotency_key) DO NOTHING
            """;

    private final Jdbi jdbi;
    private final ObjectMapper json;

    GuardStore(Jdbi jdbi, ObjectMapper json) {
        this.jdbi = jdbi;
        this.json = json;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /** The guard's memory and the verdicts of its last run, as persisted. */
    record Saved(GuardMemory memory, List<JudgedRule> verdicts, String instanceId) {
    }

    private record Detectors(List<GuardMemory.RuleMemory> rules, Instant criteriaPassSince) {
    }

    Optional<Saved> load(Handle handle) {
        return handle.createQuery(LOAD).map(this::saved).findOne();
    }

    Optional<Saved> load() {
        return jdbi.withHandle(this::load);
    }

    void save(Handle handle, GuardMemory memory, List<JudgedRule> verdicts, String instanceId) {
        handle.createUpdate(SAVE)
                .bind("judgedSince", Timestamp.from(memory.judgedSince()))
                .bind("planVersion", memory.planVersion())
                .bind("phase", memory.phase())
                .bind("lastRunAt", Timestamp.from(memory.lastRunAt()))
                .bind("detectors", write(new Detectors(memory.rules(), memory.criteriaPassSince())))
                .bind("fed", write(memory.fed()))
                .bind("verdicts", write(verdicts))
                .bind("instanceId", instanceId)
                .execute();
    }

    /** One guard run as kept for {@code GET /api/v1/rollout/evaluations}. */
    public record Evaluation(long id, Instant at, String instanceId, long rolloutVersion, int phase, String phaseName,
                             String status, String outcome, JsonNode rules, JsonNode criteria) {
    }

    void insertEvaluation(Handle handle, Instant at, String instanceId, RolloutState state, String outcome,
                          List<JudgedRule> rules, Object criteria) {
        handle.createUpdate(INSERT_EVALUATION)
                .bind("at", Timestamp.from(at))
                .bind("instanceId", instanceId)
                .bind("rolloutVersion", state.version())
                .bind("phase", state.phase())
                .bind("phaseName", state.currentPhase().name())
                .bind("status", state.status().name())
                .bind("outcome", outcome)
                .bind("rules", write(rules))
                .bind("criteria", criteria == null ? null : write(criteria))
                .execute();
    }

    /** Evaluations in [from, to), newest first, with an id below {@code before}; optionally of one outcome. */
    List<Evaluation> evaluations(Instant from, Instant to, long before, Optional<String> outcome, int limit) {
        String sql = SELECT_EVALUATIONS + (outcome.isPresent() ? " AND outcome = :outcome" : "")
                + " ORDER BY id DESC LIMIT :limit";
        return jdbi.withHandle(handle -> {
            Query query = handle.createQuery(sql).bind("from", Timestamp.from(from)).bind("to", Timestamp.from(to))
                    .bind("before", before).bind("limit", limit);
            outcome.ifPresent(o -> query.bind("outcome", o));
            return query.map(this::evaluation).list();
        });
    }

    int pruneEvaluations(Instant before) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM rollout_evaluations WHERE at < :before")
                .bind("before", Timestamp.from(before)).execute());
    }

    /** Queues an alert; a second write with the same key (a run repeated after a crash) is a no-op. */
    void enqueueAlert(Handle handle, String idempotencyKey, Object payload, Instant at) {
        handle.createUpdate(INSERT_ALERT).bind("key", idempotencyKey).bind("payload", write(payload))
                .bind("at", Timestamp.from(at)).execute();
    }

    private Saved saved(ResultSet rs, StatementContext ctx) throws SQLException {
        Detectors detectors = read(rs.getString("detectors"), new TypeReference<>() { });
        Map<Long, List<GuardMemory.Fed>> fed = read(rs.getString("fed"), new TypeReference<>() { });
        List<JudgedRule> verdicts = read(rs.getString("verdicts"), new TypeReference<>() { });
        GuardMemory memory = new GuardMemory(instant(rs, "judged_since"), rs.getLong("plan_version"),
                rs.getInt("phase"), instant(rs, "last_run_at"), detectors.rules(), fed, detectors.criteriaPassSince());
        return new Saved(memory, verdicts, rs.getString("instance_id"));
    }

    private Evaluation evaluation(ResultSet rs, StatementContext ctx) throws SQLException {
        String criteria = rs.getString("criteria");
        return new Evaluation(rs.getLong("id"), instant(rs, "at"), rs.getString("instance_id"),
                rs.getLong("rollout_version"), rs.getInt("phase"), rs.getString("phase_name"), rs.getString("status"),
                rs.getString("outcome"), read(rs.getString("rules"), new TypeReference<JsonNode>() { }),
                criteria == null ? null : read(criteria, new TypeReference<JsonNode>() { }));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot be written as JSON: " + value, e);
        }
    }

    private <T> T read(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("guard_state holds JSON that cannot be read", e);
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
