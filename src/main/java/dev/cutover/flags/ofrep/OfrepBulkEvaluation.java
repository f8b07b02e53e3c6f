package dev.cutover.flags.ofrep;

import java.util.List;
import java.util.Map;

/** OFREP's bulk answer: every flag for one context, where to listen for changes, and the flag set's metadata. */
record OfrepBulkEvaluation(List<OfrepFlagEvaluation> flags, List<EventStream> eventStreams, Map<String, Object> metadata) {

    /**
     * A change-notification stream (OFREP ADR-0008). Advertised as an {@code endpoint} without {@code origin}, so the
     * client connects to the origin it already uses for OFREP, also behind a proxy.
     */
    record EventStream(String type, Endpoint endpoint, int inactivityDelaySec) {
    }

    record Endpoint(String requestUri) {
    }
}
