package dev.cutover.flags;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * SQL for the flag and its overrides. Reads that stand alone open their own handle; writes take the caller's
 * {@link Handle} so that the change, its audit row and its NOTIFY commit together. Thread-safe (Jdbi is).
 */
public final class FlagStore {
    /** The PostgreSQL NOTIFY channel every flag write signals on; the payload is {@code key:version}. */
    static final String CHANGE_CHANNEL = "flag_changed";

    private static final String SELECT_FLAG = """
            SELECT key, variants, percentage, status, version, created_at, updated_at
              FROM flags
             WHERE key = :key
            """;
    private static final String SELECT_FLAG_FOR_UPDATE = SELECT_FLAG + " FOR UPDATE";
    private static final String UPDATE_FLAG = """
            UPDATE flags
               SET percentage = :percentage, status = :status, version = version + 1, updated_at = now()
             WHERE key = :key AND version = :expectedVersion
            RETURNING key, variants, percentage, status, version, created_at, updated_at
            """;
    private static final String BUMP_VERSION = """
            UPDATE flags
               SET version = version + 1, updated_at = now()
             WHERE key = :key
            RETURNING key, variants, percentage, status, version, created_at, updated_at
            """;
    private static final String SELECT_OVERRIDES = """
            SELECT id, list, subject, subject_id, note, added_by, created_at
              FROM flag_overrides
             WHERE flag_key = :key
             ORDER BY id
            """;
    private static final String SELECT_OVERRIDE_BY_SUBJECT = """
            SELECT id, list, subject, subject_id, note, added_by, created_at
              FROM flag_overrides
             WHERE flag_key = :key AND subject = :subject AND subject_id = :subjectId
            """;
    private static final String INSERT_OVERRIDE = """
            INSERT INTO flag_overrides (flag_key, list, subject, subject_id, note, added_by)
            VALUES (:key, :list, :subject, :subjectId, :note, :addedBy)
            RETURNING id, list, subject, subject_id, note, added_by, created_at
            """;
    private static final String DELETE_OVERRIDE = """
            DELETE FROM flag_overrides
             WHERE flag_key = :key AND id = :id
            RETURNING id, list, subject, subject_id, note, added_by, created_at
            """;

    private final Jdbi jdbi;

    public FlagStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /** Reads the flag and its overrides as of one instant (one REPEATABLE READ transaction). */
    Optional<FlagSnapshot> loadSnapshot(String key, Instant loadedAt) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, handle -> {
            return findFlag(handle, key).map(flag -> FlagSnapshot.of(flag.key(), flag.percentage(), flag.status(),
                    flag.version(), flag.updatedAt(), overrides(handle, key), loadedAt));
        });
    }

    Optional<FlagState> findFlag(Handle handle, String key) {
        return handle.createQuery(SELECT_FLAG).bind("key", key).map(FlagStore::flagState).findOne();
    }

    /** Locks the flag row until the transaction ends, so writes to one flag are serialised. */
    Optional<FlagState> lockFlag(Handle handle, String key) {
        return handle.createQuery(SELECT_FLAG_FOR_UPDATE).bind("key", key).map(FlagStore::flagState).findOne();
    }

    /** Applies the change only if nobody else changed the flag since {@code expectedVersion}; empty otherwise. */
    Optional<FlagState> updateFlag(Handle handle, String key, BigDecimal percentage, FlagStatus status,
                                   long expectedVersion) {
        return handle.createQuery(UPDATE_FLAG)
                .bind("key", key)
                .bind("percentage", percentage)
                .bind("status", status.name())
                .bind("expectedVersion", expectedVersion)
                .map(FlagStore::flagState)
                .findOne();
    }

    /** Every write bumps the version, overrides included, so caches and ETags see that something changed. */
    FlagState bumpVersion(Handle handle, String key) {
        return handle.createQuery(BUMP_VERSION).bind("key", key).map(FlagStore::flagState).one();
    }

    List<FlagOverride> overrides(Handle handle, String key) {
        return handle.createQuery(SELECT_OVERRIDES).bind("key", key).map(FlagStore::override).list();
    }

    Optional<FlagOverride> findOverride(Handle handle, String key, OverrideSubject subject, String subjectId) {
        return handle.createQuery(SELECT_OVERRIDE_BY_SUBJECT)
                .bind("key", key)
                .bind("subject", subject.name())
                .bind("subjectId", subjectId)
                .map(FlagStore::override)
                .findOne();
    }

    FlagOverride insertOverride(Handle handle, String key, OverrideList list, OverrideSubject subject, String subjectId,
                            String note, String addedBy) {
        return handle.createQuery(INSERT_OVERRIDE)
                .bind("key", key)
                .bind("list", list.name())
                .bind("subject", subject.name())
                .bind("subjectId", subjectId)
                .bind("note", note)
                .bind("addedBy", addedBy)
                .map(FlagStore::override)
                .one();
    }

    Optional<FlagOverride> deleteOverride(Handle handle, String key, long id) {
        return handle.createQuery(DELETE_OVERRIDE).bind("key", key).bind("id", id).map(FlagStore::override).findOne();
    }

    /** Delivered to every listening instance when (and only when) the surrounding transaction commits. */
    void notifyChange(Handle handle, FlagState flag) {
        handle.createQuery("SELECT pg_notify(:channel, :payload)")
                .bind("channel", CHANGE_CHANNEL)
                .bind("payload", flag.key() + ":" + flag.version())
                .mapTo(String.class)
                .one();
    }

    private static FlagState flagState(ResultSet rs, StatementContext ctx) throws SQLException {
        return new FlagState(
                rs.getString("key"),
                textArray(rs.getArray("variants")),
                rs.getBigDecimal("percentage"),
                FlagStatus.valueOf(rs.getString("status")),
                rs.getLong("version"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static FlagOverride override(ResultSet rs, StatementContext ctx) throws SQLException {
        return new FlagOverride(
                rs.getLong("id"),
                OverrideList.valueOf(rs.getString("list")),
                OverrideSubject.valueOf(rs.getString("subject")),
                rs.getString("subject_id"),
                rs.getString("note"),
                rs.getString("added_by"),
                instant(rs, "created_at"));
    }

    private static List<String> textArray(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
