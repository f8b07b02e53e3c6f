package dev.cutover.flags;

import java.time.Instant;

/** One allowlist or denylist entry. */
public record FlagOverride(long id, OverrideList list, OverrideSubject subject, String subjectId,
                       String note, String addedBy, Instant createdAt) {
}
