package dev.cutover.transcription;

import io.javalin.http.Context;
import java.util.Optional;

/**
 * Who asked, as far as the signals need it: the User-Agent and the language (the request's own language field when
 * it names one, else Accept-Language), reduced later to a browser family and a primary subtag.
 */
record Caller(String userAgent, String language) {
    static Caller of(Context ctx) {
        return new Caller(ctx.userAgent(), ctx.header("Accept-Language"));
    }

    Caller withLanguage(Optional<String> asked) {
        return asked.map(language -> new Caller(userAgent, language)).orElse(this);
    }
}
