package dev.cutover.signals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * SQL of the signals: each instance's 10-second windows (upserted whole, so a retried flush is harmless), the merged
 * hourly rollups, retention, and the instances' heartbeats. Thread-safe (stateless over Jdbi).
 */
public final class SignalStore {
    private static final String COUNT_COLUMNS = """
            attempts, ok, failures, empty, no_speech, aborted, fallbacks, client_errors, exposures, split_exposures, cache_hits,
            cache_lookups, audio_ms, engine_ms, latency_hist, rtf_hist""";
    /** The counts' bind parameters, in COUNT_COLUMNS order (the key's come before them). */
    private static final String COUNT_VALUES = """
            :attempts, :ok, CAST(:failures AS jsonb), :empty, :noSpeech, :aborted, :fallbacks, :clientErrors, :exposures,
            :splitExposures, :cacheHits, :cacheLookups, :audioMs, :engineMs, :latencyHist, :rtfHist)""";
    /** An upsert replaces a row's counts whole, so writing the same window or hour again is harmless. */
    private static final String REPLACE_COUNTS = """
             DO UPDATE SET
                attempts = EXCLUDED.attempts, ok = EXCLUDED.ok, failures = EXCLUDED.failures, empty = EXCLUDED.empty,
                no_speech = EXCLUDED.no_speech, aborted = EXCLUDED.aborted, fallbacks = EXCLUDED.fallbacks,
                client_errors = EXCLUDED.client_errors, exposures = EXCLUDED.exposures,
                split_exposures = EXCLUDED.split_exposures, cache_hits = EXCLUDED.cache_hits,
                cache_lookups = EXCLUDED.cache_lookups, audio_ms = EXCLUDED.audio_ms, engine_ms = EXCLUDED.engine_ms,
                latency_hist = EXCLUDED.latency_hist, rtf_hist = EXCLUDED.rtf_hist
            """;
    private static final String UPSERT_WINDOW = "INSERT INTO signal_windows (instance_id, window_start, provider, source, "
            + "browser, language, " + COUNT_COLUMNS + ") VALUES (:instance, :start, :provider, :source, :browser, :language, "
            + COUNT_VALUES + " ON CONFLICT (instance_id, window_start, provider, source, browser, language)" + REPLACE_COUNTS;
    private static final String UPSERT_ROLLUP = "INSERT INTO signal_rollups (hour_start, provider, source, browser, "
            + "language, " + COUNT_COLUMNS + ") VALUES (:start, :provider, :source, :browser, :language, "
            + COUNT_VALUES + " ON CONFLICT (hour_start, provider, source, browser, language)" + REPLACE_COUNTS;
    private static final String SELECT_WINDOWS = """
            SELECT window_start AS at, provider, source, browser, language, failures::text AS failures_json,""" + COUNT_COLUMNS + """

              FROM signal_windows
             WHERE window_start >= :from AND window_start < :to
            """;
    private static final String SELECT_ROLLUPS = """
            SELECT hour_start AS at, provider, source, browser, language, failures::text AS failures_json,""" + COUNT_COLUMNS + """

              FROM signal_rollups
             WHERE hour_start >= :from AND hour_start < :to
            """;
    private static final String SELECT_OWN_WINDOWS = """
            SELECT window_start AS at, provider, source, browser, language, failures::text AS failures_json,""" + COUNT_COLUMNS + """

              FROM signal_windows
             WHERE instance_id = :instance AND window_start >= :from
            """;
    private static final String UPSERT_HEARTBEAT = """
            INSERT INTO instances (id, version, started_at, last_seen, model_loaded, busy_workers, queue_depth)
            VALUES (:id, :version, :startedAt, :lastSeen, :modelLoaded, :busyWorkers, :queueDepth)
            ON CONFLICT (id) DO UPDATE SET last_seen = EXCLUDED.last_seen, model_loaded = EXCLUDED.model_loaded,
                busy_workers = EXCLUDED.busy_workers, queue_depth = EXCLUDED.queue_depth, version = EXCLUDED.version
            """;
    private static final TypeReference<Map<String, Long>> FAILURES = new TypeReference<>() {
    };

    private final Jdbi jdbi;
    private final ObjectMapper json;

    public SignalStore(Jdbi jdbi, ObjectMapper json) {
        this.jdbi = jdbi;
        this.json = json;
    }

    /** One stored row: a key's counts in one window (or hour), merged from the instances when read. */
    public record Row(Instant at, SignalKey key, WindowCounts counts) {
    }

    /** Writes this instance's closed windows in one transaction. */
    void upsertWindows(String instanceId, List<Row> rows) {
        jdbi.useTransaction(handle -> {
            PreparedBatch batch = handle.prepareBatch(UPSERT_WINDOW);
            for (Row row : rows) {
                bindCounts(batch.bind("instance", instanceId), row).add();
            }
            batch.execute();
        });
    }

    /** The windows from {@code from} on that an instance of this id wrote, e.g. before it was restarted. */
    List<Row> ownWindowsSince(String instanceId, Instant from) {
        return jdbi.withHandle(handle -> handle.createQuery(SELECT_OWN_WINDOWS).bind("instance", instanceId)
                .bind("from", Timestamp.from(from)).map(this::row).list());
    }

    void upsertRollups(Handle handle, List<Row> rows) {
        PreparedBatch batch = handle.prepareBatch(UPSERT_ROLLUP);
        for (Row row : rows) {
            bindCounts(batch, row).add();
        }
        if (!rows.isEmpty()) {
            batch.execute();
        }
    }

    /**
     * Merges every instance's windows that start in [from, to) into {@code into}, grouped by {@code group}, reading
     * them as a stream (a cursor in one transaction): a span of 48 h over many instances is never held in memory.
     */
    public <G> void mergeWindowsInto(Instant from, Instant to, Function<Row, G> group, Map<G, WindowCounts> into) {
        mergeInto(SELECT_WINDOWS, from, to, group, into);
    }

    /** As {@link #mergeWindowsInto}, from the hourly rollups that start in [from, to). */
    public <G> void mergeRollupsInto(Instant from, Instant to, Function<Row, G> group, Map<G, WindowCounts> into) {
        mergeInto(SELECT_ROLLUPS, from, to, group, into);
    }

    private <G> void mergeInto(String sql, Instant from, Instant to, Function<Row, G> group, Map<G, WindowCounts> into) {
        if (to.isAfter(from)) {
            // A transaction, so that the fetch size makes the driver use a cursor instead of reading every row.
            jdbi.useTransaction(handle -> mergeInto(handle, sql, from, to, group, into));
        }
    }

    private <G> void mergeInto(Handle handle, String sql, Instant from, Instant to, Function<Row, G> group,
                               Map<G, WindowCounts> into) {
        handle.createQuery(sql).bind("from", Timestamp.from(from)).bind("to", Timestamp.from(to))
                .setFetchSize(500).map(this::row)
                .useStream(rows -> rows.forEach(row -> into.computeIfAbsent(group.apply(row), g -> new WindowCounts())
                        .merge(row.counts())));
    }

    /** Recomputes the rollups of every hour in [from, to) from the windows, under a lock so one instance does it. */
    void rollUp(Instant from, Instant to) {
        jdbi.useTransaction(handle -> {
            if (!handle.createQuery("SELECT pg_try_advisory_xact_lock(hashtext('cutover.signals.rollup'))")
                    .mapTo(Boolean.class).one()) {
                return;
            }
            // Streamed and merged by hour as read: the windows of a large fleet are never all in memory.
            Map<Signals.HourKey, WindowCounts> byHour = new LinkedHashMap<>();
            mergeInto(handle, SELECT_WINDOWS, from, to, Signals.HourKey::of, byHour);
            upsertRollups(handle, byHour.entrySet().stream()
                    .map(e -> new Row(e.getKey().hour(), e.getKey().key(), e.getValue())).toList());
        });
    }

    /** Drops windows and rollups older than their retention. */
    void prune(Instant windowsBefore, Instant rollupsBefore) {
        jdbi.useHandle(handle -> {
            handle.createUpdate("DELETE FROM signal_windows WHERE window_start < :before")
                    .bind("before", Timestamp.from(windowsBefore)).execute();
            handle.createUpdate("DELETE FROM signal_rollups WHERE hour_start < :before")
                    .bind("before", Timestamp.from(rollupsBefore)).execute();
        });
    }

    void heartbeat(InstanceStatus status) {
        jdbi.useHandle(handle -> handle.createUpdate(UPSERT_HEARTBEAT)
                .bind("id", status.id()).bind("version", status.version())
                .bind("startedAt", Timestamp.from(status.startedAt())).bind("lastSeen", Timestamp.from(status.lastSeen()))
                .bind("modelLoaded", status.modelLoaded()).bind("busyWorkers", status.busyWorkers())
                .bind("queueDepth", status.queueDepth()).execute());
    }

    public List<InstanceStatus> instances() {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT id, version, started_at, last_seen, model_loaded, busy_workers, queue_depth FROM instances ORDER BY id")
                .map((rs, ctx) -> new InstanceStatus(rs.getString("id"), rs.getString("version"),
                        instant(rs, "started_at"), instant(rs, "last_seen"), rs.getBoolean("model_loaded"),
                        rs.getInt("busy_workers"), rs.getInt("queue_depth")))
                .list());
    }

    private <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindCounts(T statement, Row row) {
        WindowCounts c = row.counts();
        try {
            return statement.bind("start", Timestamp.from(row.at()))
                    .bind("provider", row.key().provider()).bind("source", row.key().source())
                    .bind("browser", row.key().browser()).bind("language", row.key().language())
                    .bind("attempts", c.attempts).bind("ok", c.ok).bind("failures", json.writeValueAsString(c.failures))
                    .bind("empty", c.empty).bind("noSpeech", c.noSpeech).bind("aborted", c.aborted)
                    .bind("fallbacks", c.fallbacks).bind("clientErrors", c.clientErrors).bind("exposures", c.exposures).bind("splitExposures", c.splitExposures)
                    .bind("cacheHits", c.cacheHits).bind("cacheLookups", c.cacheLookups)
                    .bind("audioMs", c.audioMs).bind("engineMs", c.engineMs)
                    .bind("latencyHist", WindowCounts.compress(c.latency))
                    .bind("rtfHist", WindowCounts.compress(c.rtfMilli));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("failure counts could not be serialised", e);
        }
    }

    private Row row(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        WindowCounts c = new WindowCounts();
        c.attempts = rs.getLong("attempts");
        c.ok = rs.getLong("ok");
        try {
            c.failures.putAll(json.readValue(rs.getString("failures_json"), FAILURES));
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable failure counts", e);
        }
        c.empty = rs.getLong("empty");
        c.noSpeech = rs.getLong("no_speech");
        c.aborted = rs.getLong("aborted");
        c.fallbacks = rs.getLong("fallbacks");
        c.clientErrors = rs.getLong("client_errors");
        c.exposures = rs.getLong("exposures");
        c.splitExposures = rs.getLong("split_exposures");
        c.cacheHits = rs.getLong("cache_hits");
        c.cacheLookups = rs.getLong("cache_lookups");
        c.audioMs = rs.getLong("audio_ms");
        c.engineMs = rs.getLong("engine_ms");
        WindowCounts.addCompressed(c.latency, rs.getBytes("latency_hist"));
        WindowCounts.addCompressed(c.rtfMilli, rs.getBytes("rtf_hist"));
        SignalKey key = new SignalKey(rs.getString("provider"), rs.getString("source"), rs.getString("browser"),
                rs.getString("language"));
        return new Row(instant(rs, "at"), key, c);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
