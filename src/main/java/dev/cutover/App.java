package dev.cutover;

import dev.cutover.config.Settings;
import dev.cutover.db.Database;
import dev.cutover.db.DatabaseHealth;
import dev.cutover.flags.AssignmentRoutes;
import dev.cutover.flags.AuditLog;
import dev.cutover.flags.FlagAdminRoutes;
import dev.cutover.flags.FlagHealth;
import dev.cutover.flags.FlagRefresher;
import dev.cutover.flags.FlagSnapshots;
import dev.cutover.flags.OfrepEvents;
import dev.cutover.flags.OfrepRoutes;
import dev.cutover.http.AdminAuth;
import dev.cutover.http.Cors;
import dev.cutover.http.ApiKeyAuth;
import dev.cutover.http.ErrorResponses;
import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthRoutes;
import dev.cutover.http.JsonMapping;
import dev.cutover.http.JsonProtocolErrors;
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
import org.eclipse.jetty.util.thread.QueuedThreadPool;
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
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        AdminAuth adminAuth = AdminAuth.from(settings.adminToken(), settings.dataDir());
        Database database = Database.open(settings.databaseUrl(), settings.dataDir());
        resources.add(database);
        database.migrateIfNeeded();
        FlagSnapshots flagSnapshots = new FlagSnapshots();
        FlagRefresher flagRefresher = new FlagRefresher(database, flagSnapshots, settings.flagRefreshInterval(), clock);
        flagRefresher.start();
        resources.add(0, flagRefresher);
        AssignmentRoutes assignmentRoutes = new AssignmentRoutes(flagSnapshots);
        AuditLog auditLog = new AuditLog(database.jdbi(), JsonMapping.objectMapper(), clock);
        FlagAdminRoutes flagAdminRoutes = new FlagAdminRoutes(database, auditLog, adminAuth);

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
        health.add(new FlagHealth(flagSnapshots, flagRefresher));
        health.add(new ModelHealth(speechEngine));
        health.add(audioDecoder.health());
        health.add(new CacheHealth(transcriptCache));
        health.add(new TranscriptionHealth(apiKeyAuth));

        HealthRoutes healthRoutes = new HealthRoutes(health, VERSION);
        MetricsRoutes metricsRoutes = new MetricsRoutes(metrics);
        Cors cors = new Cors(settings.corsOrigins());
        OfrepRoutes ofrepRoutes = new OfrepRoutes(flagSnapshots);
        OfrepEvents ofrepEvents = new OfrepEvents(flagSnapshots, OfrepEvents.DEFAULT_MAX_CLIENTS, OfrepEvents.DEFAULT_KEEP_ALIVE);
        metrics.gauge(OfrepEvents.OPEN_STREAMS_METRIC, ofrepEvents, OfrepEvents::openStreams);

        Javalin http = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(JsonMapping.objectMapper(), false));
            config.startup.showJavalinBanner = false;
            config.http.prefer405over404 = true;
            if (settings.httpThreads() > 0) {
                // Fewer threads than Javalin's 250 cut context switching on small machines (see bench/assignment.sh).
                config.jetty.threadPool = new QueuedThreadPool(settings.httpThreads(), Math.min(8, settings.httpThreads()));
            }
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonProtocolErrors()));
            ErrorResponses.install(config);
            cors.register(config);
            healthRoutes.register(config);
            metricsRoutes.register(config);
            assignmentRoutes.register(config);
            flagAdminRoutes.register(config);
            ofrepRoutes.register(config);
            ofrepEvents.register(config);
            new TranscriptionRoutes(transcriptionService, apiKeyAuth).register(config);
            new OpenAiTranscriptionRoutes(transcriptionService, apiKeyAuth).register(config);
            new StatsRoutes(outcomes, transcriptionMetrics, transcriptCache, transcriptionService).register(config);
        });
        resources.add(0, http::stop);
        resources.add(0, ofrepEvents); // open streams must end before Jetty stops, or it waits for them
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
