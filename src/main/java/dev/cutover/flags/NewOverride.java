package dev.cutover.flags;

import java.util.Optional;

/** A POSTed override as the client sent it; {@link FlagAdminService} validates the values. */
record NewOverride(String list, String subject, String id, String note, Optional<String> reason) {
}
