package dev.cutover.flags;

import java.time.Instant;
import java.util.Locale;

/** An override as the admin API and the audit trail show it: lists and subjects in the lower case clients send. */
record OverrideView(long id, String list, String subject, String subjectId, String note, String addedBy,
                    Instant createdAt) {

    static OverrideView of(FlagOverride o) {
        return new OverrideView(o.id(), o.list().name().toLowerCase(Locale.ROOT),
                o.subject().name().toLowerCase(Locale.ROOT), o.subjectId(), o.note(), o.addedBy(), o.createdAt());
    }
}
