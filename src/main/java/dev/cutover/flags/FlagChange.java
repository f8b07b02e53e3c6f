package dev.cutover.flags;

import java.math.BigDecimal;
import java.util.Optional;

/** A PATCH of the flag as the client sent it; {@link FlagAdminService} validates the values. */
record FlagChange(Optional<BigDecimal> percentage, Optional<String> status, long expectedVersion,
                  Optional<String> reason) {
}
