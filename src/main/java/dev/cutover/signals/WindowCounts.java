package dev.cutover.signals;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The counts of one key in one window (or of many, merged): attempts, outcomes, failures by error code, cache,
 * audio and engine time, and latency and real-time-factor histograms (HdrHistogram: mergeable, stored compressed).
 * Not thread-safe: a window's counts are written by the signal thread alone; merged copies belong to their reader.
 */
public final class WindowCounts {
    /** Latencies are kept up to an hour, in milliseconds, to 2 significant digits (1 % error at most). */
    static final long MAX_LATENCY_MS = 3_600_000;
    /** Real-time factors are kept in thousandths, up to 100. */
    static final long MAX_RTF_MILLI = 100_000;
    private static final int DIGITS = 2;

    long attempts;
    long ok;
    final Map<String, Long> failures = new TreeMap<>();
    long empty;
    long noSpeech;
    long aborted;
    long fallbacks;
    long clientErrors;
    long exposures;
    long splitExposures;
    long cacheHits;
    long cacheLookups;
    long audioMs;
    long engineMs;
    final Histogram latency = new Histogram(MAX_LATENCY_MS, DIGITS);
    final Histogram rtfMilli = new Histogram(MAX_RTF_MILLI, DIGITS);

    void add(Observation o) {
        o.cacheHit().ifPresent(hit -> {
            cacheLookups++;
            if (hit) {
                cacheHits++;
            }
        });
        switch (o.outcome()) {
            case EXPOSURE -> exposures++;
            case SPLIT_EXPOSURE -> {
                exposures++;
                splitExposures++;
            }
            case CLIENT_ERROR -> clientErrors++;
            default -> addAttempt(o);
        }
    }

    private void addAttempt(Observation o) {
        attempts++;
        switch (o.outcome()) {
            case OK -> ok++;
            case EMPTY -> empty++;
            case NO_SPEECH -> noSpeech++;
            case ABORTED -> aborted++;
            case FALLBACK -> {
                fallbacks++;
                failures.merge(o.errorCode().orElse("fallback"), 1L, Long::sum);
            }
            default -> failures.merge(o.errorCode().orElse("error"), 1L, Long::sum);
        }
        latency.recordValue(Math.min(MAX_LATENCY_MS, Math.max(0, o.latencyMs())));
        audioMs += Math.max(0, o.audioMs());
        engineMs += Math.max(0, o.engineMs());
        if (o.engineMs() > 0 && o.audioMs() > 0) {
            rtfMilli.recordValue(Math.min(MAX_RTF_MILLI, o.engineMs() * 1000 / o.audioMs()));
        }
    }

    /** Adds another window's counts (another instance, another window of a span). */
    public void merge(WindowCounts other) {
        attempts += other.attempts;
        ok += other.ok;
        other.failures.forEach((code, n) -> failures.merge(code, n, Long::sum));
        empty += other.empty;
        noSpeech += other.noSpeech;
        aborted += other.aborted;
        fallbacks += other.fallbacks;
        clientErrors += other.clientErrors;
        exposures += other.exposures;
        splitExposures += other.splitExposures;
        cacheHits += other.cacheHits;
        cacheLookups += other.cacheLookups;
        audioMs += other.audioMs;
        engineMs += other.engineMs;
        latency.add(other.latency);
        rtfMilli.add(other.rtfMilli);
    }

    public long attempts() {
        return attempts;
    }

    /** Service failures and client-reported failures and fallbacks: what counts against the provider. */
    public long failures() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Long> failuresByCode() {
        return Map.copyOf(failures);
    }

    public long ok() {
        return ok;
    }

    public long empty() {
        return empty;
    }

    public long noSpeech() {
        return noSpeech;
    }

    public long aborted() {
        return aborted;
    }

    public long fallbacks() {
        return fallbacks;
    }

    public long clientErrors() {
        return clientErrors;
    }

    public long exposures() {
        return exposures;
    }

    /** Exposures of sessions assigned by the split (not by an override or a rollback). */
    public long splitExposures() {
        return splitExposures;
    }

    public long cacheHits() {
        return cacheHits;
    }

    public long cacheLookups() {
        return cacheLookups;
    }

    public long audioMs() {
        return audioMs;
    }

    public long engineMs() {
        return engineMs;
    }

    /** The latency at a percentile (0-100), in milliseconds; 0 with no attempts. */
    public long latencyAtPercentile(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile);
    }

    /** Attempts that took longer than {@code thresholdMs} (within the histogram's precision). */
    public long slowerThan(long thresholdMs) {
        long total = latency.getTotalCount();
        return total == 0 ? 0 : total - latency.getCountBetweenValues(0, thresholdMs);
    }

    public long latencyCount() {
        return latency.getTotalCount();
    }

    /** Mean real-time factor: engine time over audio time, summed. */
    public double rtfMean() {
        return audioMs == 0 ? 0 : engineMs / (double) audioMs;
    }

    public double rtfAtPercentile(double percentile) {
        return rtfMilli.getTotalCount() == 0 ? 0 : rtfMilli.getValueAtPercentile(percentile) / 1000.0;
    }

    static byte[] compress(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return bytes;
    }

    static void addCompressed(Histogram into, byte[] compressed) {
        if (compressed == null || compressed.length == 0) {
            return;
        }
        try {
            into.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(compressed), into.getHighestTrackableValue()));
        } catch (DataFormatException e) {
            throw new IllegalStateException("A stored histogram could not be read", e);
        }
    }
}
