package dev.cutover.flags;

/** A write based on a stale version: answered 409 with the version the client should re-read. */
final class VersionConflict extends RuntimeException {
    private final long currentVersion;

    VersionConflict(long expectedVersion, long currentVersion) {
        super("The flag is at version " + currentVersion + ", not " + expectedVersion
                + ": someone changed it meanwhile. Re-read it, then retry with expectedVersion " + currentVersion + ".");
        this.currentVersion = currentVersion;
    }

    long currentVersion() {
        return currentVersion;
    }
}
