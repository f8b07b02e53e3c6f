package dev.cutover.flags;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An immutable copy of the flag and its overrides, as read from PostgreSQL at {@code loadedAt}. Evaluating it is
 * pure and allocation-light, so assignment is served from memory.
 */
public record FlagSnapshot(String key, BigDecimal percentage, FlagStatus status, long version, Instant updatedAt,
                           List<FlagOverride> overrides, Instant loadedAt,
                           Set<String> allowUsers, Set<String> allowSessions,
                           Set<String> denyUsers, Set<String> denySessions) {

    public static final String FLAG_KEY = "transcription-provider";

    public FlagSnapshot {
        overrides = List.copyOf(overrides);
    }

    public static FlagSnapshot of(String key, BigDecimal percentage, FlagStatus status, long version,
                                  Instant updatedAt, List<FlagOverride> overrides, Instant loadedAt) {
        return new FlagSnapshot(key, percentage, status, version, updatedAt, overrides, loadedAt,
                ids(overrides, OverrideList.ALLOW, OverrideSubject.USER),
                ids(overrides, OverrideList.ALLOW, OverrideSubject.SESSION),
                ids(overrides, OverrideList.DENY, OverrideSubject.USER),
                ids(overrides, OverrideList.DENY, OverrideSubject.SESSION));
    }

    private static Set<String> ids(List<FlagOverride> overrides, OverrideList list, OverrideSubject subject) {
        return overrides.stream()
                .filter(o -> o.list() == list && o.subject() == subject)
                .map(FlagOverride::subjectId)
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Decides the provider. Order: rolled back beats everything, then the denylist, then the allowlist, then the
     * sticky split on userId when given, else sessionId.
     */
    public Assignment evaluate(String sessionId, Optional<String> userId) {
        String stickyId = userId.orElse(sessionId);
        int bucket = StickyBucketing.bucketOf(key, stickyId);
        if (status == FlagStatus.ROLLED_BACK) {
            return answer(Provider.WEBSPEECH, AssignmentReason.ROLLED_BACK, bucket);
        }
        if (matches(denyUsers, denySessions, sessionId, userId)) {
            return answer(Provider.WEBSPEECH, AssignmentReason.DENYLIST, bucket);
        }
        if (matches(allowUsers, allowSessions, sessionId, userId)) {
            return answer(Provider.WHISPER, AssignmentReason.ALLOWLIST, bucket);
        }
        Provider provider = StickyBucketing.isInRollout(bucket, percentage) ? Provider.WHISPER : Provider.WEBSPEECH;
        return answer(provider, AssignmentReason.SPLIT, bucket);
    }

    /** The safe answer of an instance that has never loaded the flag: webspeech, reason DEFAULT. */
    public static Assignment defaultAssignment(String sessionId, Optional<String> userId) {
        int bucket = StickyBucketing.bucketOf(FLAG_KEY, userId.orElse(sessionId));
        return new Assignment(FLAG_KEY, Provider.WEBSPEECH, AssignmentReason.DEFAULT, BigDecimal.ZERO.setScale(2),
                bucket, 0, "UNKNOWN");
    }

    private static boolean matches(Set<String> users, Set<String> sessions, String sessionId, Optional<String> userId) {
        return (sessionId != null && sessions.contains(sessionId)) || userId.map(users::contains).orElse(false);
    }

    private Assignment answer(Provider provider, AssignmentReason reason, int bucket) {
        return new Assignment(key, provider, reason, percentage, bucket, version, status.name());
    }
}
