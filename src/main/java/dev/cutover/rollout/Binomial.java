package dev.cutover.rollout;

import java.util.SplittableRandom;

/**
 * Binomial(n, p) draws for the simulator, by inversion (walking the probability mass function from 0): exact, one
 * uniform per draw, and about n·p steps, which is a handful at the error rates simulated. Large n is split in halves
 * so that (1 − p)^n stays a normal double; p above ½ draws the complement. Not thread-safe: one per run loop.
 */
final class Binomial {
    private static final long MAX_DIRECT = 1_000;

    private final double p;
    private long cachedN = -1;
    private double cachedZeroMass;

    Binomial(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    long draw(SplittableRandom random, long n) {
        if (n <= 0 || p == 0) {
            return 0;
        }
        if (p == 1) {
            return n;
        }
        return p <= 0.5 ? small(random, n, p) : n - small(random, n, 1 - p);
    }

    private long small(SplittableRandom random, long n, double q) {
        if (n > MAX_DIRECT) {
            long half = n / 2;
            return small(random, half, q) + small(random, n - half, q);
        }
        double zeroMass;
        if (n == cachedN && q == p) {
            zeroMass = cachedZeroMass;
        } else {
            zeroMass = Math.pow(1 - q, n);
            if (q == p) {
                cachedN = n;
                cachedZeroMass = zeroMass;
            }
        }
        double u = random.nextDouble();
        double mass = zeroMass;
        double cumulative = mass;
        double odds = q / (1 - q);
        long k = 0;
        while (u >= cumulative && k < n) {
            k++;
            mass *= odds * (n - k + 1) / k;
            cumulative += mass;
        }
        return k;
    }
}
