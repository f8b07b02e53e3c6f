package dev.cutover.rollout;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads the rollout's phase history ({@code rollout_phases}, written by {@link RolloutStore} with each phase change).
 * Thread-safe (stateless over Jdbi).
 */
final class PhaseHistory {
    private static final String SELECT = """
            SELECT phase, phase_name, entered_at, left_at, entered_by, forced, reason
              FROM rollout_phases
             ORDER BY id
            """;

    private final Jdbi jdbi;

    PhaseHistory(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One stay in a phase; {@code leftAt} is {@code null} for the current one. */
    record Stay(int phase, String phaseName, Instant enteredAt, Instant leftAt, String enteredBy, boolean forced,
                String reason) {
    }

    /** Every stay, oldest first. */
    List<Stay> all() {
        return jdbi.withHandle(handle -> handle.createQuery(SELECT).map(PhaseHistory::stay).list());
    }

    private static Stay stay(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        OffsetDateTime left = rs.getObject("left_at", OffsetDateTime.class);
        return new Stay(rs.getInt("phase"), rs.getString("phase_name"),
                rs.getObject("entered_at", OffsetDateTime.class).toInstant(), left == null ? null : left.toInstant(),
                rs.getString("entered_by"), rs.getBoolean("forced"), rs.getString("reason"));
    }
}
