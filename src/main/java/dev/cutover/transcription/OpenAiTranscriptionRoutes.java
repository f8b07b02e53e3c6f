package dev.cutover.transcription;

import dev.cutover.http.ApiError;
import dev.cutover.http.ApiKeyAuth;
import dev.cutover.http.EdgeResponses;
import dev.cutover.http.HeaderGate;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/audio/transcriptions}, shaped like OpenAI's endpoint so the official SDKs work against this base URL.
 * The {@code model} field is accepted and ignored: the loaded whisper model always answers. Errors use OpenAI's shape.
 */
public final class OpenAiTranscriptionRoutes {
    public static final String ROUTE = "/v1/audio/transcriptions";
    static final String FILE_FIELD = "file";
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiTranscriptionRoutes.class);

    private final TranscriptionService service;
    private final ApiKeyAuth auth;

    public OpenAiTranscriptionRoutes(TranscriptionService service, ApiKeyAuth auth) {
        this.service = service;
        this.auth = auth;
    }

    /** The API key, then the session's assignment, checked by the edge from the headers first; OpenAI's error shape. */
    public HeaderGate gate(Function<HttpFields, Optional<ApiError>> assignment) {
        return (method, headers) -> auth.refusal(headers).or(() -> assignment.apply(headers)).map(OpenAiErrors::answer);
    }

    /** A body the edge refused (too large, too slow, cut off, no memory left) in OpenAI's error shape. */
    public EdgeResponses.Answer edgeError(String path, ApiError error) {
        return OpenAiErrors.answer(error);
    }

    public void register(JavalinConfig config) {
        config.routes.post(ROUTE, this::transcribe);
    }

    private void transcribe(Context ctx) {
        try {
            // The format is read with the rest of the form, inside the service call, so a bad value is recorded too.
            AtomicReference<OpenAiFormat> format = new AtomicReference<>(OpenAiFormat.JSON);
            TranscriptionResult result = service.transcribe(ROUTE, Caller.of(ctx), () -> {
                UploadForm form = UploadForm.readAuthorized(ctx, auth, FILE_FIELD);
                form.text("response_format").map(OpenAiFormat::parse).ifPresent(format::set);
                rejectUnsupported(form);
                return new TranscriptionRequest(form.file(FILE_FIELD), OptionFields.read(form));
            });
            write(ctx, format.get(), result);
        } catch (ApiError e) {
            OpenAiErrors.write(ctx, e);
        } catch (RuntimeException e) {
            LOG.error("Unhandled error on {}", ROUTE, e);
            OpenAiErrors.write(ctx, new ApiError(500, "internal_error", "Something went wrong on our side; it has been logged."));
        }
    }

    private static void rejectUnsupported(UploadForm form) {
        for (String granularity : form.texts("timestamp_granularities")) {
            String value = granularity.trim().toLowerCase(Locale.ROOT);
            if (value.equals("word")) {
                throw ApiError.badRequest("unsupported_timestamp_granularity",
                        "timestamp_granularities 'word' is not supported by this server; use 'segment' or leave it out.");
            }
            if (!value.equals("segment")) {
                throw ApiError.badRequest("unsupported_timestamp_granularity",
                        "timestamp_granularities '" + granularity + "' is not valid; use 'segment'.");
            }
        }
        if (form.text("stream").map(v -> v.equalsIgnoreCase("true")).orElse(false)) {
            throw ApiError.badRequest("stream_not_supported", "stream=true is not supported; leave it out or send false.");
        }
    }

    private static void write(Context ctx, OpenAiFormat format, TranscriptionResult result) {
        Transcript transcript = result.transcript();
        ctx.header("X-Cache", result.cached() ? "hit" : "miss");
        ctx.header("openai-processing-ms", Long.toString(result.processingMs()));
        switch (format) {
            case JSON -> ctx.json(Map.of("text", transcript.text()));
            case VERBOSE_JSON -> ctx.json(VerboseJsonRenderer.render(transcript, result.options().temperature()));
            case TEXT -> ctx.contentType(format.contentType()).result(transcript.text() + "\n");
            case SRT -> ctx.contentType(format.contentType()).result(SrtRenderer.render(transcript));
            case VTT -> ctx.contentType(format.contentType()).result(VttRenderer.render(transcript));
            default -> throw new IllegalStateException("unhandled format " + format);
        }
    }
}
