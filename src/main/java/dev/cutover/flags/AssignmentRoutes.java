package dev.cutover.flags;

import dev.cutover.http.ApiError;
import dev.cutover.http.CoreRoute;
import dev.cutover.http.EdgeResponses;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/v1/assignment?sessionId=S[&userId=U]}: which provider this session uses. Answers from the in-memory
 * snapshot only, so it never waits on PostgreSQL; with no snapshot yet it answers webspeech with reason DEFAULT.
 * Served by the request edge on Jetty's core API (a {@link CoreRoute}), ahead of the servlet layer: nothing another
 * route does can make it wait for a thread, and it skips the servlet machinery it does not need. Thread-safe.
 */
public final class AssignmentRoutes implements CoreRoute {
    public static final String PATH = "/api/v1/assignment";
    public static final Set<String> METHODS = Set.of("GET", "HEAD");
    private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private final FlagSnapshots snapshots;

    public AssignmentRoutes(FlagSnapshots snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public void handle(Request request, Response response, Callback callback) {
        AssignmentQuery query;
        try {
            query = AssignmentQuery.parse(request.getHttpURI().getQuery());
        } catch (ApiError e) {
            EdgeResponses.write(request, response, callback, EdgeResponses.Answer.error(e));
            return;
        }
        FlagSnapshot snapshot = snapshots.current().orElse(null);
        Assignment assignment = snapshot == null
                ? FlagSnapshot.defaultAssignment(query.sessionId(), query.userId())
                : snapshot.evaluate(query.sessionId(), query.userId());
        byte[] body = toJson(assignment).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().add(JSON);
        response.getHeaders().add(NO_STORE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, "HEAD".equals(request.getMethod()) ? null : ByteBuffer.wrap(body), callback);
    }

    /** Written by hand: every value is a fixed enum name, key or number, so nothing needs escaping and this is hot. */
    static String toJson(Assignment a) {
        return new StringBuilder(160)
                .append("{\"flag\":\"").append(a.flag())
                .append("\",\"provider\":\"").append(a.provider().value())
                .append("\",\"reason\":\"").append(a.reason().name())
                .append("\",\"percentage\":").append(a.percentage().setScale(2).toPlainString())
                .append(",\"bucket\":").append(a.bucket())
                .append(",\"version\":").append(a.version())
                .append(",\"status\":\"").append(a.status())
                .append("\"}")
                .toString();
    }
}
