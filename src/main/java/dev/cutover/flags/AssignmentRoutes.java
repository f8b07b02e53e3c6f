package dev.cutover.flags;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/v1/assignment?sessionId=S[&userId=U]}: which provider this session uses. Answers from the in-memory
 * snapshot only, so it never waits on PostgreSQL; with no snapshot yet it answers webspeech with reason DEFAULT.
 */
public final class AssignmentRoutes {
    static final String PATH = "/api/v1/assignment";

    private final FlagSnapshots snapshots;

    public AssignmentRoutes(FlagSnapshots snapshots) {
        this.snapshots = snapshots;
    }

    public void register(JavalinConfig config) {
        config.routes.get(PATH, this::assignment);
    }

    private void assignment(Context ctx) throws IOException {
        AssignmentQuery query = AssignmentQuery.parse(ctx.queryString());
        FlagSnapshot snapshot = snapshots.current().orElse(null);
        Assignment assignment = snapshot == null
                ? FlagSnapshot.defaultAssignment(query.sessionId(), query.userId())
                : snapshot.evaluate(query.sessionId(), query.userId());
        byte[] body = toJson(assignment).getBytes(StandardCharsets.UTF_8);
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json");
        ctx.res().setContentLength(body.length);
        // Written straight out: ctx.result() would make Javalin copy it through a fresh 32 KB buffer per response,
        // which was most of this route's garbage.
        ctx.outputStream().write(body);
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
