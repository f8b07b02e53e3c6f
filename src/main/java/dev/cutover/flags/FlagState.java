package dev.cutover.flags;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The flag row as engineers see it in the admin API and in audit records. */
public record FlagState(String key, List<String> variants, BigDecimal percentage, FlagStatus status, long version,
                        Instant createdAt, Instant updatedAt) {

    public FlagState {
        variants = List.copyOf(variants);
    }
}
