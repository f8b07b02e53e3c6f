package dev.cutover;

import dev.cutover.config.Settings;
import dev.cutover.db.Database;
import dev.cutover.db.DatabaseHealth;
import dev.cutover.flags.FlagSnapshots;
import dev.cutover.http.ApiKeyAuth;
import dev.cutover.http.ErrorResponses;
import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthRoutes;
import dev.cutover.http.JsonMapping;
import dev.cutover.http.MetricsRoutes;
import dev.cutover.signals.InMemoryOutcomeRecorder;
import dev.cutover.signals.OutcomeRecorder;
import dev.cutover.transcription.CacheHealth;
import dev.cutover.transcription.OpenAiTranscriptionRoutes;
import dev.cutover.transcription.StatsRoutes;
import dev.cutover.transcription.TranscriptCache;
import dev.cutover.transcription.TranscriptCaches;
import dev.cutover.transcription.TranscriptionHealth;
import dev.cutover.transcription.TranscriptionMetrics;
import dev.cutover.transcription.TranscriptionRoutes;
import dev.cutover.transcription.TranscriptionService;
import dev.cutover.transcription.audio.AudioLimits;
import dev.cutover.transcription.audio.UploadAudioDecoder;
import dev.cutover.transcription.whisper.ModelHealth;
import dev.cutover.transcription.whisper.WhisperConfig;
import dev.cutover.transcription.whisper.WhisperPool;
import dev.cutover.transcription.whisper.WhisperPoolMetrics;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring only: settings, then stores, then services, then HTTP. */
public final class App implements AutoCloseable {
    public static final String VERSION = "0.1.0";
    private static final Logger LOG = LoggerFactory.getLogger(App.class);

    private final Javalin http;
    private final List<AutoCloseable> resources;

    private App(Javalin http, List<AutoCloseable> resources) {
        this.http = http;
        this.resources = resources;
    }

    public static void main(String[] args) {
        App app = start(Settings.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
    }

    public static App start(Settings settings) {
        WhisperConfig whisperConfig = WhisperConfig.from(settings); // refuses a bad WHISPER_AUDIO_CTX up front
        List<AutoCloseable> resources = new ArrayList<>();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        Database database = Database.open(settings.databaseUrl(), settings.dataDir());
        resources.add(database);
        database.migrateIfNeeded();
        FlagSnapshots flagSnapshots = new FlagSnapshots();

        WhisperPool speechEngine = WhisperPool.start(whisperConfig, Duration.ofSeconds(60));
        resources.add(speechEngine);
        new WhisperPoolMetrics(speechEngine).bindTo(metrics);

        TranscriptCache transcriptCache = TranscriptCaches.open(settings.redisUrl(), settings.cacheTtl(), settings.redisTimeout());
        resources.add(transcriptCache);
        ApiKeyAuth apiKeyAuth = new ApiKeyAuth(settings.whisperApiKey());
        if (!apiKeyAuth.isRequired()) {
            LOG.warn("WHISPER_API_KEY is not set: /transcribe and /v1/audio/transcriptions are open to anyone who reaches this port");
        }
        TranscriptionMetrics transcriptionMetrics = new TranscriptionMetrics(metrics);
        transcriptionMetrics.modelLoaded(speechEngine::isLoaded);
        transcriptionMetrics.engineLoad(speechEngine::queueDepth, speechEngine::busyWorkers);
        settings.redisUrl().ifPresent(url -> transcriptionMetrics.redisUp(() -> transcriptCache.state().available()));
        transcriptionMetrics.databaseUp(database::isReachable);
        InMemoryOutcomeRecorder outcomes = new InMemoryOutcomeRecorder(Clock.systemUTC());
        UploadAudioDecoder audioDecoder = new UploadAudioDecoder(AudioLimits.from(settings));
        TranscriptionService transcriptionService = new TranscriptionService(
                audioDecoder, speechEngine, transcriptCache, transcriptionMetrics,
                OutcomeRecorder.all(List.of(transcriptionMetrics, outcomes)), Clock.systemUTC());

        List<HealthIndicator> health = new ArrayList<>();
        health.add(new DatabaseHealth(database));
        health.add(new ModelHealth(speechEngine));
        health.add(audioDecoder.health());
        health.add(new CacheHealth(transcriptCache));
        health.add(new TranscriptionHealth(apiKeyAuth));

        HealthRoutes healthRoutes = new HealthRoutes(health, VERSION);
        MetricsRoutes metricsRoutes = new MetricsRoutes(metrics);

        Javalin http = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(JsonMapping.objectMapper(), false));
            config.startup.showJavalinBanner = false;
            ErrorResponses.install(config);
            healthRoutes.register(config);
            metricsRoutes.register(config);
            new TranscriptionRoutes(transcriptionService, apiKeyAuth).register(config);
            new OpenAiTranscriptionRoutes(transcriptionService, apiKeyAuth).register(config);
            new StatsRoutes(outcomes, transcriptionMetrics, transcriptCache, transcriptionService).register(config);
        });
        resources.add(0, http::stop);
        http.start(settings.port());
        LOG.info("Cutover {} listening on port {}", VERSION, http.port());
        return new App(http, resources);
    }

    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Failed to close {}", resource, e);
            }
        }
        resources.clear();
    }
}
