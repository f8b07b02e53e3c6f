package dev.cutover.transcription;

import dev.cutover.http.ApiKeyAuth;
import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code transcription} part of /health: whether the API key is required and which routes serve. */
public final class TranscriptionHealth implements HealthIndicator {
    private final ApiKeyAuth auth;

    public TranscriptionHealth(ApiKeyAuth auth) {
        this.auth = auth;
    }

    @Override
    public String name() {
        return "transcription";
    }

    @Override
    public Report report() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("apiKeyRequired", auth.isRequired());
        if (!auth.isRequired()) {
            details.put("warning", "WHISPER_API_KEY is not set: anyone who reaches this port can transcribe");
        }
        details.put("routes", new String[] {TranscriptionRoutes.ROUTE, OpenAiTranscriptionRoutes.ROUTE});
        return new Report(HealthStatus.UP, details);
    }
}
