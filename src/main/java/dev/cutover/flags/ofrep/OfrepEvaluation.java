package dev.cutover.flags.ofrep;

import dev.cutover.flags.Assignment;
import dev.cutover.flags.AssignmentReason;
import dev.cutover.flags.FlagSnapshot;
import dev.cutover.flags.FlagSnapshots;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the current flag snapshot into OFREP answers. Reasons: SPLIT for the percentage split, TARGETING_MATCH for an
 * allowlist or denylist entry, DISABLED while rolled back, DEFAULT when this instance has never loaded the flag.
 * Stateless apart from the thread-safe {@link FlagSnapshots} it reads, so safe to share.
 */
public final class OfrepEvaluation {
    static final String EVENTS_PATH = "/ofrep/v1/events";
    static final int INACTIVITY_DELAY_SECONDS = 120;

    private final FlagSnapshots snapshots;

    public OfrepEvaluation(FlagSnapshots snapshots) {
        this.snapshots = snapshots;
    }

    /** The evaluation of {@code key}, or empty when no such flag exists. */
    Optional<OfrepFlagEvaluation> evaluate(String key, OfrepContext context) {
        Optional<FlagSnapshot> snapshot = snapshots.current();
        String knownKey = snapshot.map(FlagSnapshot::key).orElse(FlagSnapshot.FLAG_KEY);
        if (!knownKey.equals(key)) {
            return Optional.empty();
        }
        return Optional.of(toOfrep(assignment(snapshot, context)));
    }

    OfrepBulkEvaluation evaluateAll(OfrepContext context) {
        Optional<FlagSnapshot> snapshot = snapshots.current();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("version", snapshot.map(FlagSnapshot::version).orElse(0L));
        return new OfrepBulkEvaluation(
                List.of(toOfrep(assignment(snapshot, context))),
                List.of(new OfrepBulkEvaluation.EventStream("sse", new OfrepBulkEvaluation.Endpoint(EVENTS_PATH),
                        INACTIVITY_DELAY_SECONDS)),
                metadata);
    }

    private static Assignment assignment(Optional<FlagSnapshot> snapshot, OfrepContext context) {
        return snapshot.map(s -> s.evaluate(context.sessionId(), context.userId()))
                .orElseGet(() -> FlagSnapshot.defaultAssignment(context.sessionId(), context.userId()));
    }

    static OfrepFlagEvaluation toOfrep(Assignment assignment) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("bucket", assignment.bucket());
        metadata.put("percentage", assignment.percentage());
        metadata.put("version", assignment.version());
        metadata.put("status", assignment.status());
        metadata.put("assignmentReason", assignment.reason().name());
        String provider = assignment.provider().value();
        return new OfrepFlagEvaluation(assignment.flag(), provider, reasonOf(assignment.reason()), provider, metadata);
    }

    static String reasonOf(AssignmentReason reason) {
        return switch (reason) {
            case SPLIT -> "SPLIT";
            case ALLOWLIST, DENYLIST -> "TARGETING_MATCH";
            case ROLLED_BACK -> "DISABLED";
            case DEFAULT -> "DEFAULT";
        };
    }
}
