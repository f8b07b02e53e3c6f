package dev.cutover.flags;

import java.math.BigDecimal;

/** The answer for one session: which provider, why, and the flag state it was decided from. */
public record Assignment(String flag, Provider provider, AssignmentReason reason, BigDecimal percentage,
                         int bucket, long version, String status) {
}
