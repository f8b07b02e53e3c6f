package dev.cutover.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One row of the append-only audit trail: who did what to which target, the state before and after, and why. */
public record AuditEvent(long id, Instant at, String actor, String action, String target, JsonNode before,
                         JsonNode after, String reason) {
}
