package dev.cutover.bench;

import dev.cutover.db.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The chaos run's report (bench/chaos.sh), from what {@link ChaosLoad} wrote ({@code requests.csv},
 * {@code health.csv}), the fault times the script wrote ({@code faults.log}: {@code <epoch ms> <event>} lines) and the
 * run's PostgreSQL (DATABASE_URL: signal windows, audit log, guard evaluations, rollout state), read after every
 * instance was stopped gracefully. Prints the timeline, the requests by endpoint × instance × status, and each
 * target with PASS or FAIL; exits 1 when any target fails.
 * <pre>
 * DATABASE_URL=… java -cp "$TEST_CLASSPATH" dev.cutover.bench.ChaosReport --out DIR --killed b
 * </pre>
 */
public final class ChaosReport {
    private static final long WINDOW_MS = 10_000;
    /** A window is flushed once its end plus a second of grace has passed, at the signal thread's next 100 ms tick. */
    private static final long FLUSH_AFTER_END_MS = 1_000;
    private static final long FLUSH_TICK_MS = 300;

    /** One line of requests.csv. */
    record Sent(long start, long end, String endpoint, String instance, String status, boolean retried,
                String firstInstance, int accepted, String cached, boolean failOpen) {
        boolean ok() {
            return status.startsWith("2");
        }

        boolean answered() {
            return Character.isDigit(status.charAt(0));
        }

        boolean overlaps(long from, long to) {
            return start <= to && end >= from;
        }
    }

    private final List<Sent> sent;
    private final Map<String, Long> faults;
    private final Map<String, String> faultTexts;
    private final List<String[]> health;
    private final String killed;
    private final long loadStart;
    private final List<String> verdicts = new ArrayList<>();
    private boolean failed;

    private ChaosReport(List<Sent> sent, Map<String, Long> faults, Map<String, String> faultTexts,
                        List<String[]> health, String killed) {
        this.sent = sent;
        this.faults = faults;
        this.faultTexts = faultTexts;
        this.health = health;
        this.killed = killed;
        this.loadStart = faults.getOrDefault("load.start",
                sent.stream().mapToLong(Sent::start).min().orElse(System.currentTimeMillis()));
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        String killed = "b";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[i + 1]);
                case "--killed" -> killed = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String url = System.getenv("DATABASE_URL");
        if (out == null || url == null || url.isBlank()) {
            System.err.println("usage: DATABASE_URL=… ChaosReport --out DIR [--killed b]");
            System.exit(2);
        }
        Map<String, String> texts = new LinkedHashMap<>();
        Map<String, Long> faults = readFaults(out.resolve("faults.log"), texts);
        ChaosReport report = new ChaosReport(readSent(out.resolve("requests.csv")), faults, texts,
                readCsv(out.resolve("health.csv")), killed);
        try (Connection db = DatabaseUrl.parse(url).openSession("chaos-report")) {
            report.print(db);
        }
        System.exit(report.failed ? 1 : 0);
    }

    private void print(Connection db) throws SQLException {
        timeline();
        requests();
        System.out.println();
        System.out.println("== Targets");
        assignment();
        transcription();
        events(db);
        rollout(db);
        System.out.println();
        System.out.println("== Summary");
        verdicts.forEach(System.out::println);
        System.out.println(failed ? "RESULT chaos: FAIL" : "RESULT chaos: PASS");
    }

    private String at(long epochMs) {
        return String.format("t=%6.1fs", (epochMs - loadStart) / 1000.0);
    }

    private static String clock(long epochMs) {
        return java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneId.systemDefault())
                .format(java.time.Instant.ofEpochMilli(epochMs));
    }

    private void timeline() {
        System.out.println("== Timeline (seconds from the start of the load)");
        List<Map.Entry<Long, String>> lines = new ArrayList<>();
        faults.forEach((event, ms) -> lines.add(Map.entry(ms, event + "  " + faultTexts.get(event))));
        for (String[] h : health) {
            lines.add(Map.entry(Long.parseLong(h[0]), "balancer: " + h[1] + " " + ("in".equals(h[2]) ? "in" : "out")
                    + " (" + h[3] + ")"));
        }
        lines.sort(Map.Entry.comparingByKey());
        lines.forEach(l -> System.out.println("  " + at(l.getKey()) + "  " + l.getValue()));
    }

    private void requests() {
        System.out.println();
        System.out.println("== Requests by endpoint, instance (that answered last) and status (or I/O error)");
        Map<String, Long> counts = new TreeMap<>();
        for (Sent s : sent) {
            counts.merge(String.format("  %-20s %-3s %-16s", s.endpoint(), s.instance(), s.status()), 1L, Long::sum);
        }
        System.out.printf("  %-20s %-3s %-16s %8s%n", "endpoint", "at", "status", "requests");
        counts.forEach((k, n) -> System.out.printf("%s %8d%n", k, n));
        long served = sent.stream().filter(Sent::answered).count();
        long ok = sent.stream().filter(Sent::ok).count();
        long retried = sent.stream().filter(Sent::retried).count();
        long failOpen = sent.stream().filter(Sent::failOpen).count();
        long seconds = Math.max(1, (sent.stream().mapToLong(Sent::end).max().orElse(loadStart) - loadStart) / 1000);
        System.out.printf("  requests sent %d, served (an HTTP answer) %d, 2xx %d (%.0f/s); retried on the other "
                + "instance after a failed connection (or a failed GET): %d; sent with no instance healthy (fail open): "
                + "%d%n", sent.size(), served, ok, (double) ok / seconds, retried, failOpen);
        Map<String, long[]> byEndpoint = new TreeMap<>();
        for (Sent s : sent) {
            long[] c = byEndpoint.computeIfAbsent(s.endpoint(), k -> new long[3]);
            c[0]++;
            c[1] += s.ok() ? 1 : 0;
            c[2] += s.retried() ? 1 : 0;
        }
        byEndpoint.forEach((e, c) -> System.out.printf("    %-20s sent %6d, 2xx %6d, retried %4d%n", e, c[0], c[1], c[2]));
        Map<String, Long> retries = new TreeMap<>();
        for (Sent s : sent) {
            if (s.retried()) {
                retries.merge(s.endpoint() + " failed on " + s.firstInstance() + " at " + at(s.start()).substring(2).trim()
                        + ", then " + s.status() + " from " + s.instance(), 1L, Long::sum);
            }
        }
        retries.forEach((what, n) -> System.out.println("    retry: " + what + (n > 1 ? " (" + n + " requests)" : "")));
        latencies();
        long hits = sent.stream().filter(s -> s.endpoint().startsWith("transcribe") && "true".equals(s.cached())).count();
        long misses = sent.stream().filter(s -> s.endpoint().startsWith("transcribe") && "false".equals(s.cached())).count();
        System.out.printf("  transcriptions answered from the cache %d, transcribed %d%n", hits, misses);
    }

    /** Which fault a request was sent during (by its start), or "no fault". */
    private String phaseOf(Sent s, long[] down) {
        if (within(s.start(), "redis.kill", "redis.start")) {
            return "redis down";
        }
        if (s.start() >= down[0] && s.start() < down[1]) {
            return killed + " down";
        }
        if (within(s.start(), "pg.stop", "pg.start")) {
            return "postgres down";
        }
        return "no fault";
    }

    private boolean within(long t, String from, String to) {
        return t >= faults.getOrDefault(from, Long.MAX_VALUE) && t < faults.getOrDefault(to, Long.MAX_VALUE);
    }

    /** Client-side latency of the 2xx answers (through the balancer, retries included) by endpoint and fault. */
    private void latencies() {
        long[] down = downWindow();
        Map<String, List<Long>> byKey = new TreeMap<>();
        for (Sent s : sent) {
            if (s.ok()) {
                byKey.computeIfAbsent(String.format("%-20s %-14s", s.endpoint(), phaseOf(s, down)), k -> new ArrayList<>())
                        .add(s.end() - s.start());
            }
        }
        System.out.printf("  latency of 2xx answers (ms, as the client saw it)%n  %-20s %-14s %7s %7s %7s %7s%n",
                "endpoint", "sent during", "n", "p50", "p99", "max");
        byKey.forEach((key, values) -> {
            List<Long> sorted = values.stream().sorted().toList();
            System.out.printf("  %s %7d %7d %7d %7d%n", key, sorted.size(), percentile(sorted, 0.50),
                    percentile(sorted, 0.99), sorted.get(sorted.size() - 1));
        });
    }

    private static long percentile(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private void verdict(boolean pass, String text) {
        String line = (pass ? "[PASS] " : "[FAIL] ") + text;
        verdicts.add(line);
        System.out.println(line);
        failed |= !pass;
    }

    private void assignment() {
        List<Sent> assignment = sent.stream().filter(s -> s.endpoint().equals("assignment")).toList();
        long fiveXx = assignment.stream().filter(s -> s.status().startsWith("5")).count();
        List<Sent> notOk = assignment.stream().filter(s -> !s.ok()).toList();
        verdict(fiveXx == 0, "assignment: " + fiveXx + " answers 5xx of " + assignment.size() + " (target 0); not 2xx "
                + "after the balancer's retry: " + notOk.size());
        notOk.stream().limit(10).forEach(s -> System.out.println("    " + at(s.start()) + " " + s.instance() + " "
                + s.status()));
    }

    /** From the kill to the first passing health check after the restart (or the end of the run). */
    private long[] downWindow() {
        long kill = faults.getOrDefault(killed + ".kill", Long.MAX_VALUE);
        long restart = faults.getOrDefault(killed + ".start", kill);
        long back = Long.MAX_VALUE;
        for (String[] h : health) {
            long t = Long.parseLong(h[0]);
            if (h[1].equals(killed) && h[2].equals("in") && t >= restart) {
                back = t;
                break;
            }
        }
        return new long[] {kill, back};
    }

    private void transcription() {
        long[] down = downWindow();
        List<Sent> errors = sent.stream().filter(s -> s.endpoint().startsWith("transcribe") && !s.ok()).toList();
        List<Sent> outside = errors.stream()
                .filter(s -> !(s.instance().equals(killed) && s.overlaps(down[0], down[1]))).toList();
        long total = sent.stream().filter(s -> s.endpoint().startsWith("transcribe")).count();
        verdict(outside.isEmpty(), "transcription: " + errors.size() + " errors of " + total + ", " + outside.size()
                + " outside " + killed + "'s down window (" + at(down[0]) + " to "
                + (down[1] == Long.MAX_VALUE ? "the end" : at(down[1])) + ", on " + killed + ")");
        for (Sent s : errors) {
            System.out.println("    " + at(s.start()) + " → " + at(s.end()) + " " + s.endpoint() + " on " + s.instance()
                    + ": " + s.status() + (outside.contains(s) ? "  ← outside" : ""));
        }
    }

    private void events(Connection db) throws SQLException {
        long from = Math.floorDiv(loadStart, WINDOW_MS) * WINDOW_MS - WINDOW_MS;
        Map<String, TreeMap<Long, Long>> counted = new TreeMap<>();
        try (PreparedStatement q = db.prepareStatement("""
                SELECT instance_id, window_start, sum(attempts + exposures) AS events FROM signal_windows
                 WHERE source = 'client' AND window_start >= ? GROUP BY instance_id, window_start""")) {
            q.setTimestamp(1, new Timestamp(from));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    counted.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                            .put(rs.getTimestamp(2).getTime(), rs.getLong(3));
                }
            }
        }
        List<Sent> batches = sent.stream().filter(s -> s.endpoint().equals("events")).toList();
        long accepted = batches.stream().mapToLong(Sent::accepted).sum();
        long inDb = counted.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
        long lost = accepted - inDb;
        System.out.println("  events: accepted (sum of the 2xx answers' \"accepted\") " + accepted
                + ", counted in PostgreSQL (signal_windows, source client, attempts + exposures) " + inDb
                + ", difference " + lost);
        for (String instance : new java.util.TreeSet<>(batches.stream().map(Sent::instance).toList())) {
            long a = batches.stream().filter(s -> s.instance().equals(instance)).mapToLong(Sent::accepted).sum();
            long c = counted.getOrDefault(instance, new TreeMap<>()).values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("    %s: accepted %d, counted %d, difference %d%n", instance, a, c, a - c);
        }
        long kill = faults.getOrDefault(killed + ".kill", -1L);
        if (kill < 0) {
            verdict(lost == 0, "events: " + lost + " accepted events not counted (no instance was killed)");
            return;
        }
        // Windows of the killed instance not yet flushed at the kill: those whose end + 1 s grace had not passed.
        long openFrom = Math.floorDiv(kill - WINDOW_MS - FLUSH_AFTER_END_MS, WINDOW_MS) * WINDOW_MS + WINDOW_MS;
        List<Sent> mine = batches.stream().filter(s -> s.instance().equals(killed) && s.accepted() > 0).toList();
        long open = mine.stream().filter(s -> s.start() >= openFrom && s.start() <= kill).mapToLong(Sent::accepted).sum();
        long straddling = mine.stream().filter(s -> s.start() < openFrom && s.end() >= openFrom)
                .mapToLong(Sent::accepted).sum();
        // Killed within a few hundred ms after the previous window's flush was due: that window may be lost too.
        long previousFlush = openFrom + FLUSH_AFTER_END_MS;
        long ambiguous = kill - previousFlush < FLUSH_TICK_MS ? mine.stream()
                .filter(s -> s.start() >= openFrom - WINDOW_MS && s.start() < openFrom).mapToLong(Sent::accepted).sum() : 0;
        long slack = straddling + ambiguous;
        System.out.println("  " + killed + "'s open window at the kill -9 (" + at(kill) + "): its windows from "
                + at(openFrom) + " on were not flushed yet (a window is flushed 1 s after its end); " + killed
                + " accepted " + open + " events in them before the kill (batches by the time they were sent; "
                + straddling + " more in batches that straddle the window boundary"
                + (ambiguous > 0 ? ", " + ambiguous + " in the previous window, whose flush was due just before the kill"
                : "") + ")");
        System.out.printf("    %-21s %10s %10s%n", "window of " + killed, "accepted", "counted");
        TreeMap<Long, Long> mineCounted = counted.getOrDefault(killed, new TreeMap<>());
        long restart = faults.getOrDefault(killed + ".start", kill);
        for (long w = openFrom - 3 * WINDOW_MS; w <= restart + WINDOW_MS; w += WINDOW_MS) {
            long windowStart = w;
            long a = mine.stream().filter(s -> s.start() >= windowStart && s.start() < windowStart + WINDOW_MS)
                    .mapToLong(Sent::accepted).sum();
            System.out.printf("    %-10s %-10s %10d %10d%s%n", at(w).substring(2).trim(), clock(w), a,
                    mineCounted.getOrDefault(w, 0L),
                    w >= openFrom && w <= kill ? "  ← open at the kill" : "");
        }
        long unexplained = lost - open;
        verdict(Math.abs(unexplained) <= slack, "events: accepted " + accepted + ", counted " + inDb + ", lost " + lost
                + "; " + killed + "'s open window at the kill -9 held " + open + " → lost beyond it " + unexplained
                + " (tolerance ±" + slack + " for batches at the window boundary)");
    }

    private void rollout(Connection db) throws SQLException {
        List<String> changes = new ArrayList<>();
        boolean acted = false;
        try (PreparedStatement q = db.prepareStatement("""
                SELECT at, actor, action,
                       concat_ws(' ', before->>'status', before->>'phaseName', before->>'whisperPercent' || '%') AS b,
                       concat_ws(' ', after->>'status', after->>'phaseName', after->>'whisperPercent' || '%') AS a,
                       coalesce(reason, '') AS reason
                  FROM audit_log ORDER BY id""")) {
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String action = rs.getString("action");
                    boolean during = rs.getTimestamp("at").getTime() >= loadStart;
                    acted |= during && (action.equals("rollout.rollback") || action.equals("rollout.pause"));
                    String reason = rs.getString("reason");
                    changes.add((during ? "" : "(setup) ") + at(rs.getTimestamp("at").getTime()) + " "
                            + rs.getString("actor") + " " + action + " "
                            + rs.getString("b") + "→" + rs.getString("a") + " "
                            + (reason.length() > 160 ? reason.substring(0, 160) + "…" : reason));
                }
            }
        }
        Map<String, Long> outcomes = new LinkedHashMap<>();
        List<Long> runs = new ArrayList<>();
        List<String> runLines = new ArrayList<>();
        try (PreparedStatement q = db.prepareStatement("""
                SELECT instance_id, count(*), min(at), max(at) FROM rollout_evaluations WHERE at >= ?
                 GROUP BY instance_id ORDER BY min(at)""")) {
            q.setTimestamp(1, new Timestamp(loadStart));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    runLines.add(rs.getString(1) + ": " + rs.getLong(2) + " runs, " + at(rs.getTimestamp(3).getTime())
                            + " to " + at(rs.getTimestamp(4).getTime()));
                }
            }
        }
        try (PreparedStatement q = db.prepareStatement("SELECT at FROM rollout_evaluations WHERE at >= ? ORDER BY at")) {
            q.setTimestamp(1, new Timestamp(loadStart));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    runs.add(rs.getTimestamp(1).getTime());
                }
            }
        }
        try (PreparedStatement q = db.prepareStatement("""
                SELECT outcome, instance_id, count(*) FROM rollout_evaluations WHERE at >= ?
                 GROUP BY outcome, instance_id ORDER BY 1, 2""")) {
            q.setTimestamp(1, new Timestamp(loadStart));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    outcomes.put(rs.getString(1) + " (by " + rs.getString(2) + ")", rs.getLong(3));
                }
            }
        }
        String state = "";
        try (PreparedStatement q = db.prepareStatement("SELECT status, phase, version FROM rollout");
             ResultSet rs = q.executeQuery()) {
            if (rs.next()) {
                state = rs.getString(1) + " at phase " + rs.getInt(2) + " (version " + rs.getLong(3) + ")";
            }
        }
        System.out.println("  rollout: audit rows (setup: before the load): " + (changes.isEmpty() ? "none" : ""));
        changes.forEach(c -> System.out.println("    " + c));
        System.out.println("  guard runs during the run by outcome: " + (outcomes.isEmpty() ? "none" : outcomes));
        runLines.forEach(l -> System.out.println("    by " + l));
        long widest = 0;
        long gapFrom = 0;
        for (int i = 1; i < runs.size(); i++) {
            if (runs.get(i) - runs.get(i - 1) > widest) {
                widest = runs.get(i) - runs.get(i - 1);
                gapFrom = runs.get(i - 1);
            }
        }
        if (widest > 0) {
            System.out.printf("    longest time without a guard run: %.1f s, from %s%n", widest / 1000.0, at(gapFrom));
        }
        Optional<String> lastRun = Optional.empty();
        try (PreparedStatement q = db.prepareStatement("SELECT max(at) FROM rollout_evaluations");
             ResultSet rs = q.executeQuery()) {
            if (rs.next() && rs.getTimestamp(1) != null) {
                lastRun = Optional.of(at(rs.getTimestamp(1).getTime()));
            }
        }
        System.out.println("  rollout at the end: " + state + "; last guard run " + lastRun.orElse("never"));
        verdict(!acted && state.startsWith("ACTIVE") && !outcomes.isEmpty(), "rollout: " + (acted
                ? "the guard (or someone) rolled back or paused during the run" : "no rollback or pause during the run")
                + ", " + outcomes.values().stream().mapToLong(Long::longValue).sum() + " guard runs; ends " + state);
    }

    private static List<Sent> readSent(Path file) throws IOException {
        List<Sent> out = new ArrayList<>();
        for (String[] f : readCsv(file)) {
            out.add(new Sent(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2], f[3], f[4], Boolean.parseBoolean(f[5]),
                    f[6], Integer.parseInt(f[7]), f.length > 8 ? f[8] : "", f.length > 9 && Boolean.parseBoolean(f[9])));
        }
        return out;
    }

    private static List<String[]> readCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return lines.stream().skip(1).filter(l -> !l.isBlank()).map(l -> l.split(",", -1)).toList();
    }

    /** {@code <epoch ms> <key> <what happened>} lines; the first time of each key. */
    private static Map<String, Long> readFaults(Path file, Map<String, String> texts) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.trim().split("\\s+", 3);
                if (parts.length >= 2 && !out.containsKey(parts[1])) {
                    out.put(parts[1], Long.parseLong(parts[0]));
                    texts.put(parts[1], parts.length == 3 ? parts[2] : "");
                }
            }
        }
        return out;
    }
}
