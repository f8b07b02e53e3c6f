package dev.cutover.bench;

import dev.cutover.db.DatabaseUrl;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Fills {@code signal_windows} and {@code signal_rollups} as a fleet would have them after two days, for timing the
 * fleet view (bench/events.sh): {@code --instances} instance ids ({@code bench-seed-1…}) × {@code --hours} of
 * 10-second windows ending at the current window × a few cohorts, each row with valid compressed HdrHistograms
 * (latency: Histogram(3_600_000, 2) in ms; real-time factor: Histogram(100_000, 2) in thousandths), as SignalWindows
 * writes them; and the hourly rollups the instances' maintenance would have computed from those windows (every hour
 * they touch × cohort, the hour's windows of every instance merged), since long spans read settled hours from there.
 * <pre>
 * DATABASE_URL=postgresql://postgres@127.0.0.1:5432/db \
 *   java -cp "$TEST_CLASSPATH" dev.cutover.bench.FleetViewBench [--instances 4] [--hours 48] [--variants 16]
 * </pre>
 * Each cohort gets {@code --variants} simulated windows (counts and histograms from simulated attempts, 10 to ~150 a
 * window); one INSERT … SELECT over generate_series then spreads them over every instance and window, oldest window
 * first as the instances' flushes would lay them out on disk, so 400k rows take seconds. Prints one {@code seeded:}
 * line.
 */
public final class FleetViewBench {
    private static final long MAX_LATENCY_MS = 3_600_000;
    private static final long MAX_RTF_MILLI = 100_000;
    private static final String COUNT_COLUMNS = """
            attempts, ok, failures, empty, no_speech, aborted, fallbacks, client_errors, exposures, split_exposures,
            cache_hits, cache_lookups, audio_ms, engine_ms, latency_hist, rtf_hist""";
    /** The placeholders of the key (provider, source, browser, language) and COUNT_COLUMNS. */
    private static final String KEY_AND_COUNT_VALUES =
            "?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    /** provider, source, browser, language, and the share of the fleet's traffic the cohort carries. */
    private record Cohort(String provider, String source, String browser, String language, double share) {
    }

    private static final List<Cohort> COHORTS = List.of(
            new Cohort("whisper", "client", "chrome", "en", 1.0),
            new Cohort("webspeech", "client", "chrome", "en", 1.0),
            new Cohort("whisper", "server", "chrome", "en", 1.0),
            new Cohort("webspeech", "client", "safari", "en", 0.3),
            new Cohort("whisper", "client", "edge", "de", 0.15),
            new Cohort("webspeech", "client", "firefox", "fr", 0.1));

    private FleetViewBench() {
    }

    public static void main(String[] args) throws Exception {
        int instances = 4;
        int hours = 48;
        int variants = 16;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--instances" -> instances = Integer.parseInt(args[i + 1]);
                case "--hours" -> hours = Integer.parseInt(args[i + 1]);
                case "--variants" -> variants = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("usage: FleetViewBench [--instances 4] [--hours 48] [--variants 16]"
                            + " (DATABASE_URL in the environment)");
                    System.exit(2);
                }
            }
        }
        String url = System.getenv("DATABASE_URL");
        if (url == null || url.isBlank()) {
            System.err.println("DATABASE_URL is required");
            System.exit(2);
        }
        DatabaseUrl db = DatabaseUrl.parse(url);
        Properties props = new Properties();
        db.user().ifPresent(u -> props.setProperty("user", u));
        db.password().ifPresent(p -> props.setProperty("password", p));
        int windows = hours * 360;
        long started = System.nanoTime();
        // The windows end with the one before the current window, as if every instance had flushed up to now.
        long baseSeconds = Math.floorDiv(System.currentTimeMillis(), 10_000L) * 10;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), props)) {
            c.setAutoCommit(false);
            List<Window> templates = new ArrayList<>();
            List<Integer> latencyBytes = new ArrayList<>();
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE bench_templates ON COMMIT DROP AS SELECT 0 AS variant, provider, source,"
                        + " browser, language, " + COUNT_COLUMNS + " FROM signal_windows WITH NO DATA");
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO bench_templates VALUES (?, " + KEY_AND_COUNT_VALUES + ")")) {
                Random random = new Random(42);
                for (Cohort cohort : COHORTS) {
                    for (int v = 0; v < variants; v++) {
                        Window w = simulate(cohort, random);
                        templates.add(w);
                        latencyBytes.add(compress(w.latency).length);
                        insert.setInt(1, v);
                        bind(insert, 2, cohort, w);
                        insert.addBatch();
                    }
                }
                insert.executeBatch();
            }
            long rows;
            try (PreparedStatement fill = c.prepareStatement("""
                    INSERT INTO signal_windows (instance_id, window_start, provider, source, browser, language,"""
                    + COUNT_COLUMNS + """
                    )
                    SELECT 'bench-seed-' || i,
                           to_timestamp(CAST(? AS double precision)) - (n + 1) * interval '10 seconds',
                           t.provider, t.source, t.browser, t.language, t.attempts, t.ok, t.failures, t.empty,
                           t.no_speech, t.aborted, t.fallbacks, t.client_errors, t.exposures, t.split_exposures,
                           t.cache_hits, t.cache_lookups, t.audio_ms, t.engine_ms, t.latency_hist, t.rtf_hist
                      FROM generate_series(1, ?) AS i, generate_series(0, ? - 1) AS n, bench_templates t
                     WHERE t.variant = (n * 7 + i * 5) % ?
                     ORDER BY n DESC, i, t.provider, t.source, t.browser, t.language
                    ON CONFLICT DO NOTHING""")) {
                fill.setLong(1, baseSeconds);
                fill.setInt(2, instances);
                fill.setInt(3, windows);
                fill.setInt(4, variants);
                rows = fill.executeLargeUpdate();
            }
            int rollups = insertRollups(c, templates, baseSeconds, instances, windows, variants);
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE signal_windows");
                s.execute("ANALYZE signal_rollups");
            }
            String size;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_size_pretty(pg_total_relation_size('signal_windows'))")) {
                rs.next();
                size = rs.getString(1);
            }
            int[] sizes = latencyBytes.stream().mapToInt(Integer::intValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "seeded: %d window rows (%d instances x %d windows x %d cohorts) and %d"
                            + " hourly rollups in %.1f s; latency histogram of a window %d-%d bytes compressed"
                            + " (median %d); signal_windows %s%n",
                    rows, instances, windows, COHORTS.size(), rollups, (System.nanoTime() - started) / 1e9,
                    sizes[0], sizes[sizes.length - 1], sizes[sizes.length / 2], size);
        }
    }

    /**
     * The rollups of the seeded windows: for every hour they touch and every cohort, the templates that each
     * instance's windows of the hour used (the variant formula of the INSERT … SELECT) added up, histograms merged.
     */
    private static int insertRollups(Connection c, List<Window> templates, long baseSeconds, int instances,
                                     int windows, int variants) throws SQLException {
        TreeMap<Long, long[]> uses = new TreeMap<>();
        for (int i = 1; i <= instances; i++) {
            for (int n = 0; n < windows; n++) {
                long hour = Math.floorDiv(baseSeconds - (n + 1) * 10L, 3600L) * 3600;
                uses.computeIfAbsent(hour, h -> new long[variants])[(n * 7 + i * 5) % variants]++;
            }
        }
        int count = 0;
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO signal_rollups (hour_start, provider, source,"
                + " browser, language, " + COUNT_COLUMNS + ") VALUES (to_timestamp(CAST(? AS double precision)), "
                + KEY_AND_COUNT_VALUES + ") ON CONFLICT DO NOTHING")) {
            for (Map.Entry<Long, long[]> hour : uses.entrySet()) {
                for (int k = 0; k < COHORTS.size(); k++) {
                    Window merged = new Window();
                    for (int v = 0; v < variants; v++) {
                        merged.add(templates.get(k * variants + v), hour.getValue()[v]);
                    }
                    insert.setLong(1, hour.getKey());
                    bind(insert, 2, COHORTS.get(k), merged);
                    insert.addBatch();
                    count++;
                }
            }
            insert.executeBatch();
        }
        return count;
    }

    /** Binds the key and the counts ({@link #KEY_AND_COUNT_VALUES}) from parameter {@code first} on. */
    private static void bind(PreparedStatement statement, int first, Cohort cohort, Window w) throws SQLException {
        int p = first;
        statement.setString(p++, cohort.provider());
        statement.setString(p++, cohort.source());
        statement.setString(p++, cohort.browser());
        statement.setString(p++, cohort.language());
        statement.setLong(p++, w.attempts);
        statement.setLong(p++, w.ok);
        statement.setString(p++, json(w.failures));
        statement.setLong(p++, w.empty);
        statement.setLong(p++, w.noSpeech);
        statement.setLong(p++, w.aborted);
        statement.setLong(p++, w.fallbacks);
        statement.setLong(p++, 0);
        statement.setLong(p++, w.exposures);
        statement.setLong(p++, w.splitExposures);
        statement.setLong(p++, w.cacheHits);
        statement.setLong(p++, w.cacheLookups);
        statement.setLong(p++, w.audioMs);
        statement.setLong(p++, w.engineMs);
        statement.setBytes(p++, compress(w.latency));
        statement.setBytes(p, compress(w.rtfMilli));
    }

    private static final class Window {
        long attempts;
        long ok;
        final Map<String, Long> failures = new TreeMap<>();
        long empty;
        long noSpeech;
        long aborted;
        long fallbacks;
        long exposures;
        long splitExposures;
        long cacheHits;
        long cacheLookups;
        long audioMs;
        long engineMs;
        final Histogram latency = new Histogram(MAX_LATENCY_MS, 2);
        final Histogram rtfMilli = new Histogram(MAX_RTF_MILLI, 2);

        /** Adds {@code times} copies of another window. */
        void add(Window other, long times) {
            if (times == 0) {
                return;
            }
            attempts += times * other.attempts;
            ok += times * other.ok;
            other.failures.forEach((code, n) -> failures.merge(code, times * n, Long::sum));
            empty += times * other.empty;
            noSpeech += times * other.noSpeech;
            aborted += times * other.aborted;
            fallbacks += times * other.fallbacks;
            exposures += times * other.exposures;
            splitExposures += times * other.splitExposures;
            cacheHits += times * other.cacheHits;
            cacheLookups += times * other.cacheLookups;
            audioMs += times * other.audioMs;
            engineMs += times * other.engineMs;
            addTimes(latency, other.latency, times);
            addTimes(rtfMilli, other.rtfMilli, times);
        }

        private static void addTimes(Histogram into, Histogram from, long times) {
            for (HistogramIterationValue v : from.recordedValues()) {
                into.recordValueWithCount(v.getValueIteratedTo(), times * v.getCountAtValueIteratedTo());
            }
        }
    }

    /** One instance's window of a cohort: 10 to ~150 attempts, the outcome mix and latencies of bench/events.lua. */
    private static Window simulate(Cohort cohort, Random random) {
        Window w = new Window();
        boolean whisper = cohort.provider().equals("whisper");
        boolean server = cohort.source().equals("server");
        int attempts = (int) Math.max(3, Math.round((10 + random.nextInt(140)) * cohort.share()));
        String[] codes = server ? new String[] {"engine_error", "timeout", "overloaded"}
                : new String[] {"network", "timeout", "not-allowed", "audio-capture", "http_503"};
        for (int a = 0; a < attempts; a++) {
            w.attempts++;
            double r = random.nextDouble();
            if (r < 0.80) {
                w.ok++;
            } else if (r < 0.86) {
                w.failures.merge(codes[random.nextInt(codes.length)], 1L, Long::sum);
            } else if (r < 0.90) {
                w.empty++;
            } else if (r < 0.94) {
                w.noSpeech++;
            } else if (r < 0.97 || !whisper || server) {
                w.aborted++;
            } else {
                w.fallbacks++;
                w.failures.merge("http_503", 1L, Long::sum);
            }
            double base = whisper ? 700 : 450;
            long latency = (long) (base * Math.exp(0.7 * random.nextGaussian()) * (random.nextDouble() < 0.02 ? 8 : 1));
            w.latency.recordValue(Math.min(MAX_LATENCY_MS, latency));
            long audio = 500 + random.nextInt(14_500);
            w.audioMs += audio;
            if (server) {
                long engine = (long) (audio * (0.08 + 0.1 * random.nextDouble()));
                w.engineMs += engine;
                w.rtfMilli.recordValue(Math.min(MAX_RTF_MILLI, engine * 1000 / audio));
                w.cacheLookups++;
                if (random.nextDouble() < 0.15) {
                    w.cacheHits++;
                }
            }
        }
        if (!server) {
            w.exposures = attempts + random.nextInt(Math.max(1, attempts / 2));
            w.splitExposures = w.exposures - random.nextInt(Math.max(1, (int) w.exposures / 20));
        }
        return w;
    }

    private static byte[] compress(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Arrays.copyOf(buffer.array(), length);
    }

    private static String json(Map<String, Long> failures) {
        StringBuilder out = new StringBuilder("{");
        failures.forEach((code, n) -> out.append(out.length() > 1 ? "," : "")
                .append('"').append(code).append("\":").append(n));
        return out.append('}').toString();
    }
}
