package dev.cutover.flags.ofrep;

import com.fasterxml.jackson.annotation.JsonInclude;

/** OFREP's error body; {@code key} is left out for failures of the whole bulk request. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record OfrepErrorBody(String key, String errorCode, String errorDetails) {
}
