package dev.cutover.http;

import io.javalin.http.Context;

/** Response headers every versioned resource sets the same way. Stateless. */
public final class Responses {
    private Responses() {
    }

    /** Never cached (the state changes under rollouts), tagged with its version so a client can tell what it saw. */
    public static Context noStore(Context ctx, long version) {
        return ctx.header("Cache-Control", "no-store").header("ETag", "\"" + version + "\"");
    }

    /** Never cached. */
    public static Context noStore(Context ctx) {
        return ctx.header("Cache-Control", "no-store");
    }
}
