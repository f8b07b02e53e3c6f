package dev.cutover.http;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A route served by the {@link RequestEdge} itself, on Jetty's core API, never reaching the servlet layer: for what
 * must answer in microseconds from memory whatever else is going on (assignment). It must not block.
 */
@FunctionalInterface
public interface CoreRoute {
    void handle(Request request, Response response, Callback callback) throws Exception;
}
