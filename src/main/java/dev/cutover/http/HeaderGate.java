package dev.cutover.http;

import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;

/**
 * A check made on a request's headers alone (credentials), by the {@link RequestEdge} before a byte of the body is
 * read: a refused request is answered at once and its connection is not kept waiting for the body.
 * Implementations are immutable and thread-safe.
 */
@FunctionalInterface
public interface HeaderGate {
    /** Empty when the request may go on; otherwise the answer that refuses it. */
    Optional<EdgeResponses.Answer> refuse(String method, HttpFields headers);
}
