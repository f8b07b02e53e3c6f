package dev.cutover.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The append-only audit trail (the database refuses UPDATE, DELETE and TRUNCATE on it). Writes join the caller's
 * transaction, so a change and its audit row commit or vanish together. Thread-safe (stateless over Jdbi).
 */
public final class AuditLog {
    public static final int MAX_PAGE = 500;

    private static final String INSERT = """
            INSERT INTO audit_log (at, actor, action, target, before, after, reason)
            VALUES (:at, :actor, :action, :target, CAST(:before AS jsonb), CAST(:after AS jsonb), :reason)
            RETURNING id
            """;
    private static final String PAGE = """
            SELECT id, at, actor, action, target, before::text AS before, after::text AS after, reason
              FROM audit_log
             WHERE id < :before
            """;
    private static final String PAGE_ORDER = " ORDER BY id DESC LIMIT :limit";
    private static final String BY_TARGET = """
            SELECT id, at, actor, action, target, before::text AS before, after::text AS after, reason
              FROM audit_log
             WHERE target = :target AND action LIKE :actions
             ORDER BY id
             LIMIT :limit
            """;

    private final Jdbi jdbi;
    private final ObjectMapper json;
    private final Clock clock;

    public AuditLog(Jdbi jdbi, ObjectMapper json, Clock clock) {
        this.jdbi = jdbi;
        this.json = json;
        this.clock = clock;
    }

    /** Appends one row inside the caller's transaction; {@code before}/{@code after} are stored as JSONB. */
    public long append(Handle handle, String actor, String action, String target, Object before, Object after,
                       Optional<String> reason) {
        return handle.createQuery(INSERT)
                .bind("at", Timestamp.from(clock.instant()))
                .bind("actor", actor)
                .bind("action", action)
                .bind("target", target)
                .bind("before", toJson(before))
                .bind("after", toJson(after))
                .bind("reason", reason.orElse(null))
                .mapTo(Long.class)
                .one();
    }

    /**
     * Newest first, strictly older than the {@code before} id when given, only rows whose action starts with
     * {@code actionPrefix} ({@code rollout.}, {@code override.remove}) and whose actor is {@code actor}, when given;
     * the cursor pages on within the same filter.
     */
    public AuditPage page(int limit, Optional<Long> before, Optional<String> actionPrefix, Optional<String> actor) {
        String sql = PAGE + (actionPrefix.isPresent() ? " AND action LIKE :actions" : "")
                + (actor.isPresent() ? " AND actor = :actor" : "") + PAGE_ORDER;
        List<AuditEvent> rows = jdbi.withHandle(handle -> {
            Query query = handle.createQuery(sql)
                    .bind("before", before.orElse(Long.MAX_VALUE))
                    .bind("limit", limit + 1);
            actionPrefix.ifPresent(prefix -> query.bind("actions", likePrefix(prefix)));
            actor.ifPresent(name -> query.bind("actor", name));
            return query.map(this::event).list();
        });
        if (rows.size() <= limit) {
            return new AuditPage(rows, null);
        }
        List<AuditEvent> page = rows.subList(0, limit);
        return new AuditPage(page, page.get(page.size() - 1).id());
    }

    /**
     * Every row of {@code target} whose action starts with {@code actionPrefix}, oldest first, at most {@code limit}
     * (e.g. the rollout's transitions, for its report).
     */
    public List<AuditEvent> forTarget(String target, String actionPrefix, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery(BY_TARGET)
                .bind("target", target)
                .bind("actions", likePrefix(actionPrefix))
                .bind("limit", limit)
                .map(this::event)
                .list());
    }

    /** A LIKE pattern matching what starts with {@code prefix} literally (PostgreSQL's escape is the backslash). */
    private static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private AuditEvent event(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AuditEvent(rs.getLong("id"), rs.getObject("at", OffsetDateTime.class).toInstant(), rs.getString("actor"),
                rs.getString("action"), rs.getString("target"), fromJson(rs.getString("before")),
                fromJson(rs.getString("after")), rs.getString("reason"));
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Audit state cannot be written as JSON: " + value, e);
        }
    }

    private JsonNode fromJson(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit_log holds invalid JSON", e);
        }
    }
}
