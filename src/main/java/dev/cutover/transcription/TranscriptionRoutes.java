package dev.cutover.transcription;

import dev.cutover.http.ApiError;
import dev.cutover.http.ApiKeyAuth;
import dev.cutover.http.EdgeResponses;
import dev.cutover.http.HeaderGate;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;

/** {@code POST /transcribe}: multipart field {@code audio} (plus optional language, prompt, temperature) to JSON. */
public final class TranscriptionRoutes {
    public static final String ROUTE = "/transcribe";
    static final String AUDIO_FIELD = "audio";

    private final TranscriptionService service;
    private final ApiKeyAuth auth;

    public TranscriptionRoutes(TranscriptionService service, ApiKeyAuth auth) {
        this.service = service;
        this.auth = auth;
    }

    /**
     * The API key, then the session's assignment (a session not assigned whisper is refused, so a stale client falls
     * back at once), both checked by the edge from the headers before any of the upload is read.
     */
    public HeaderGate gate(Function<HttpFields, Optional<ApiError>> assignment) {
        return (method, headers) -> auth.refusal(headers).or(() -> assignment.apply(headers)).map(EdgeResponses.Answer::error);
    }

    public void register(JavalinConfig config) {
        config.routes.post(ROUTE, this::transcribe);
    }

    private void transcribe(Context ctx) {
        TranscriptionResult result = service.transcribe(ROUTE, Caller.of(ctx), () -> {
            UploadForm form = UploadForm.readAuthorized(ctx, auth, AUDIO_FIELD);
            return new TranscriptionRequest(form.file(AUDIO_FIELD), OptionFields.read(form));
        });
        ctx.json(TranscribeResponse.of(result));
    }

    /** The body of a successful {@code /transcribe}. */
    record TranscribeResponse(String text, List<Segment> segments, String language, double durationSec,
                              long processingMs, double rtf, boolean cached, String model) {
        static TranscribeResponse of(TranscriptionResult r) {
            Transcript t = r.transcript();
            return new TranscribeResponse(t.text(), t.segments(), t.language(), t.durationSec(), r.processingMs(),
                    Math.round(r.rtf() * 10_000) / 10_000.0, r.cached(), r.model());
        }
    }
}
