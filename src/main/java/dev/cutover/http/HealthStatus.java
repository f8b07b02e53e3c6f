package dev.cutover.http;

/** Ordered from best to worst, so the overall status is the worst of the parts. */
public enum HealthStatus {
    UP, DEGRADED, DOWN;

    public HealthStatus worst(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
