package dev.cutover.signals;

import java.time.Instant;

/** One instance's last heartbeat. */
public record InstanceStatus(String id, String version, Instant startedAt, Instant lastSeen, boolean modelLoaded,
                             int busyWorkers, int queueDepth) {
}
