package dev.cutover.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * One simulated situation: traffic, true error rates, whether whisper is ready, how long the phase runs, how many
 * runs, the seed and the guard interval. Immutable; {@link #of} gives the defaults (48 h, 1,000 runs, seed 1,
 * 15 s, whisper ready) and the {@code with…} methods change one of them.
 */
public record Scenario(Traffic traffic, ErrorRates errorRates, boolean whisperReady, Duration length, int runs,
                       long seed, Duration guardInterval) {
    public static final Duration DEFAULT_GUARD_INTERVAL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_LENGTH = Duration.ofHours(48);
    public static final int DEFAULT_RUNS = 1_000;
    /** Runs × guard runs per run: about 10 s of work at most, so a request cannot occupy a server for long. */
    public static final long MAX_STEPS = 100_000_000L;
    static final int MAX_RUNS = 100_000;

    public Scenario {
        Objects.requireNonNull(traffic, "traffic");
        Objects.requireNonNull(errorRates, "errorRates");
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(guardInterval, "guardInterval");
        if (guardInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("guardInterval must be at least 1s, got " + guardInterval);
        }
        if (length.compareTo(guardInterval) < 0) {
            throw new IllegalArgumentException("length must hold at least one guard interval, got " + length);
        }
        if (runs < 1 || runs > MAX_RUNS) {
            throw new IllegalArgumentException("runs must be 1 to " + MAX_RUNS + ", got " + runs);
        }
        if ((double) runs * steps(length, guardInterval) > MAX_STEPS) {
            throw new IllegalArgumentException("runs × (length / guardInterval) must be at most " + MAX_STEPS
                    + ": fewer runs, a shorter length or a longer interval");
        }
    }

    public static Scenario of(Traffic traffic, ErrorRates errorRates) {
        return new Scenario(traffic, errorRates, true, DEFAULT_LENGTH, DEFAULT_RUNS, 1L, DEFAULT_GUARD_INTERVAL);
    }

    public Scenario withWhisperReady(boolean ready) {
        return new Scenario(traffic, errorRates, ready, length, runs, seed, guardInterval);
    }

    public Scenario withLength(Duration newLength) {
        return new Scenario(traffic, errorRates, whisperReady, newLength, runs, seed, guardInterval);
    }

    public Scenario withRuns(int newRuns) {
        return new Scenario(traffic, errorRates, whisperReady, length, newRuns, seed, guardInterval);
    }

    public Scenario withSeed(long newSeed) {
        return new Scenario(traffic, errorRates, whisperReady, length, runs, newSeed, guardInterval);
    }

    public Scenario withGuardInterval(Duration interval) {
        return new Scenario(traffic, errorRates, whisperReady, length, runs, seed, interval);
    }

    /** Guard runs in one simulated run. */
    long steps() {
        return steps(length, guardInterval);
    }

    private static long steps(Duration length, Duration interval) {
        return length.toNanos() / interval.toNanos();
    }
}
