package dev.cutover.audit;

import java.util.List;

/** Audit events newest first; {@code nextBefore} is the cursor for the next (older) page, null on the last page. */
public record AuditPage(List<AuditEvent> events, Long nextBefore) {

    public AuditPage {
        events = List.copyOf(events);
    }
}
