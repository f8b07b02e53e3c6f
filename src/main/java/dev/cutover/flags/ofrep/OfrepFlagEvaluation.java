package dev.cutover.flags.ofrep;

import java.util.Map;

/**
 * OFREP's successful evaluation of one flag. {@code value} and {@code variant} are both the provider name;
 * {@code metadata} holds only strings and numbers, as the protocol requires.
 */
record OfrepFlagEvaluation(String key, String value, String reason, String variant, Map<String, Object> metadata) {
}
