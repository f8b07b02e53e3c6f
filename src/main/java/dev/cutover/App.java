package dev.cutover;

import dev.cutover.audit.AuditLog;
import dev.cutover.cli.Cli;
import dev.cutover.config.Settings;
import dev.cutover.db.Database;
import dev.cutover.db.DatabaseHealth;
import dev.cutover.flags.AssignmentRoutes;
import dev.cutover.flags.FlagAdminRoutes;
import dev.cutover.flags.FlagAdminService;
import dev.cutover.flags.FlagChangeListener;
import dev.cutover.flags.FlagHealth;
import dev.cutover.flags.FlagRefresher;
import dev.cutover.flags.FlagSnapshots;
import dev.cutover.flags.FlagStore;
import dev.cutover.flags.ProviderEnforcement;
import dev.cutover.flags.ofrep.OfrepEvaluation;
import dev.cutover.flags.ofrep.OfrepEvents;
import dev.cutover.flags.ofrep.OfrepRoutes;
import dev.cutover.flags.ofrep.SnapshotVersionWaiter;
import dev.cutover.http.AdminAuth;
import dev.cutover.http.ApiKeyAuth;
import dev.cutover.http.ByteBudget;
import dev.cutover.http.Cors;
import dev.cutover.http.EdgeLimits;
import dev.cutover.http.EdgeResponses;
import dev.cutover.http.ErrorResponses;
import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthRoutes;
import dev.cutover.http.JsonMapping;
import dev.cutover.http.JsonProtocolErrors;
import dev.cutover.http.MetricsRoutes;
import dev.cutover.http.OpenApiRoutes;
import dev.cutover.http.RequestEdge;
import dev.cutover.http.UiRoutes;
import dev.cutover.http.UploadLimiter;
import dev.cutover.rollout.Guard;
import dev.cutover.rollout.MigrationReport;
import dev.cutover.rollout.Notifier;
import dev.cutover.rollout.PlanSimulation;
import dev.cutover.rollout.RolloutRoutes;
import dev.cutover.rollout.RolloutService;
import dev.cutover.rollout.RolloutStore;
import dev.cutover.signals.EventRoutes;
import dev.cutover.signals.FleetSignals;
import dev.cutover.signals.InstanceStatus;
import dev.cutover.signals.InstanceTotals;
import dev.cutover.signals.OutcomeRecorder;
import dev.cutover.signals.ServerSignals;
import dev.cutover.signals.SignalRoutes;
import dev.cutover.signals.SignalStore;
import dev.cutover.signals.SignalWindows;
import dev.cutover.signals.SignalsHealth;
import dev.cutover.transcription.CacheHealth;
import dev.cutover.transcription.OpenAiTranscriptionRoutes;
import dev.cutover.transcription.StatsRoutes;
import dev.cutover.transcription.TranscriptCache;
import dev.cutover.transcription.TranscriptCaches;
import dev.cutover.transcription.TranscriptionHealth;
import dev.cutover.transcription.TranscriptionMetrics;
import dev.cutover.transcription.TranscriptionRoutes;
import dev.cutover.transcription.TranscriptionService;
import dev.cutover.transcription.UploadForm;
import dev.cutover.transcription.audio.AudioLimits;
import dev.cutover.transcription.audio.UploadAudioDecoder;
import dev.cutover.transcription.whisper.ModelHealth;
import dev.cutover.transcription.whisper.WhisperConfig;
import dev.cutover.transcription.whisper.WhisperPool;
import dev.cutover.transcription.whisper.WhisperPoolMetrics;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring only: settings, then stores, then services, then HTTP. */
public final class App implements AutoCloseable {
    public static final String VERSION = "0.1.0";
    private static final int DEFAULT_HTTP_THREADS = 250;

    private final Javalin http;
    private final List<AutoCloseable> resources;

    private App(Javalin http, List<AutoCloseable> resources) {
        this.http = http;
        this.resources = resources;
    }

    /** No arguments (or {@code serve}): the server. Anything else is the operator command line ({@link Cli}). */
    public static void main(String[] args) {
        if (args.length > 0 && !"serve".equals(args[0])) {
            // Before anything of the server is touched: the command line must start fast and alone.
            System.exit(Cli.run(args));
        }
        App app = start(Settings.fromEnvironment(), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
    }

    /**
     * Starts every part with the given clock: windows, retention, soaks and guard intervals read it (never the system
     * clock directly), so tests move time instead of waiting for it.
     */
    public static App start(Settings settings, Clock clock) {
        WhisperConfig whisperConfig = WhisperConfig.from(settings); // refuses a bad WHISPER_AUDIO_CTX up front
        Wiring wiring = new Wiring(settings, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            wiring.resources.add(MetricsRoutes.bindRuntimeMeters(wiring.metrics()));
            Database database = Database.open(settings.databaseUrl(), settings.dataDir());
            wiring.resources.add(database);
            database.migrateIfNeeded();
            wiring.health.add(new DatabaseHealth(database));

            FlagSnapshots flagSnapshots = wireFlags(wiring, database);
            WhisperPool speechEngine = WhisperPool.start(whisperConfig, Duration.ofSeconds(60));
            wiring.resources().add(speechEngine);
            WiredSignals signals = wireSignals(wiring, database, flagSnapshots, speechEngine);
            wireTranscription(wiring, database, speechEngine, signals.windows(), new ProviderEnforcement(flagSnapshots));
            wireRollout(wiring, database, signals);
            OfrepEvents ofrepEvents = wireOfrep(wiring, flagSnapshots);

            Javalin http = Javalin.create(config -> configureHttp(config, wiring));
            wiring.resources.add(http::stop);
            wiring.resources.add(ofrepEvents); // open streams must end before Jetty stops, or it waits for them
            http.start(settings.port());
            Log.LOG.info("Cutover {} listening on port {}", VERSION, http.port());
            return new App(http, wiring.resources);
        } catch (RuntimeException | Error e) {
            closeAll(wiring.resources);
            throw e;
        }
    }

    /** What the features hand to the HTTP server and to shutdown while they are wired. */
    private record Wiring(Settings settings, Clock clock, PrometheusMeterRegistry metrics,
                          List<AutoCloseable> resources, List<HealthIndicator> health,
                          List<Consumer<JavalinConfig>> routes, RequestEdge.Builder edge, AdminAuth adminAuth) {
        Wiring(Settings settings, Clock clock, PrometheusMeterRegistry metrics) {
            this(settings, clock, metrics, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    RequestEdge.builder(edgeLimits(settings), new Cors(settings.corsOrigins())),
                    AdminAuth.from(settings.adminToken(), settings.dataDir()));
        }

        private static EdgeLimits edgeLimits(Settings settings) {
            return new EdgeLimits(EdgeLimits.jsonPolicy(settings.requestBodyTimeout()),
                    UploadForm.edgePolicy(new ByteBudget(settings.uploadMemoryMb() * 1024L * 1024L)),
                    settings.minRequestDataRate(), Duration.ofSeconds(1));
        }
    }

    private static FlagSnapshots wireFlags(Wiring wiring, Database database) {
        Settings settings = wiring.settings();
        AdminAuth adminAuth = wiring.adminAuth();
        FlagSnapshots flagSnapshots = new FlagSnapshots();
        FlagStore flagStore = new FlagStore(database.jdbi());
        FlagRefresher flagRefresher = new FlagRefresher(database, flagStore, new FlagChangeListener(database.url()),
                flagSnapshots, settings.flagRefreshInterval(), wiring.clock());
        flagRefresher.start();
        wiring.resources().add(flagRefresher);
        wiring.health().add(new FlagHealth(flagSnapshots, flagRefresher));
        AuditLog auditLog = new AuditLog(database.jdbi(), JsonMapping.objectMapper(), wiring.clock());
        wiring.edge().serve(AssignmentRoutes.PATH, AssignmentRoutes.METHODS, new AssignmentRoutes(flagSnapshots))
                .cors(AssignmentRoutes.PATH)
                .gate(adminAuth.gate(), FlagAdminRoutes.FLAGS_PATHS, FlagAdminRoutes.AUDIT_PATH);
        wiring.routes().add(new FlagAdminRoutes(new FlagAdminService(flagStore, auditLog), adminAuth)::register);
        return flagSnapshots;
    }

    /**
     * The rollout: plan and state in PostgreSQL, the one writer of the flag's percentage and status (through the
     * flags' projection, in the rollout's own transaction), judged on the fleet's signals. Seeded with the default
     * plan at start, or on first use if PostgreSQL is not reachable yet. Its notifications leave the outbox on the
     * notifier's own thread.
     */
    private static void wireRollout(Wiring wiring, Database database, WiredSignals signals) {
        AuditLog auditLog = new AuditLog(database.jdbi(), JsonMapping.objectMapper(), wiring.clock());
        RolloutStore store = new RolloutStore(database.jdbi(), JsonMapping.objectMapper());
        RolloutService service = new RolloutService(store,
                new FlagAdminService(new FlagStore(database.jdbi()), auditLog), auditLog,
                signals.fleet(), JsonMapping.objectMapper(), wiring.clock(), wiring.settings().guardInterval());
        try {
            service.seed();
        } catch (RuntimeException e) {
            Log.LOG.warn("Rollout not seeded yet (retried on first use): {}", e.getMessage());
        }
        Guard guard = Guard.start(service, signals.store(), signals.fleet(), database.url(), signals.instanceId(),
                wiring.clock(), wiring.settings().guardInterval(), wiring.metrics());
        wiring.resources().add(guard);
        wiring.health().add(guard);
        wiring.edge().gate(wiring.adminAuth().gate(), RolloutRoutes.PATH, RolloutRoutes.PATHS);
        wiring.routes().add(new RolloutRoutes(service, wiring.adminAuth(),
                new PlanSimulation(store, signals.fleet(), JsonMapping.objectMapper(), wiring.clock(),
                        wiring.settings().guardInterval()),
                new MigrationReport(store, auditLog, signals.fleet(), wiring.clock()))::register);
        Notifier notifier = new Notifier(database.jdbi(), JsonMapping.objectMapper(), wiring.settings().alertWebhookUrl(),
                wiring.clock(), new java.util.Random());
        notifier.start();
        wiring.resources().add(notifier);
        wiring.metrics().gauge(Notifier.PENDING_METRIC, notifier, Notifier::pending);
    }

    private static OfrepEvents wireOfrep(Wiring wiring, FlagSnapshots flagSnapshots) {
        OfrepEvents ofrepEvents = new OfrepEvents(flagSnapshots, OfrepEvents.DEFAULT_MAX_CLIENTS, OfrepEvents.DEFAULT_KEEP_ALIVE);
        wiring.metrics().gauge(OfrepEvents.OPEN_STREAMS_METRIC, ofrepEvents, OfrepEvents::openStreams);
        ExecutorService freshnessPool = SnapshotVersionWaiter.resumerPool();
        wiring.resources().add(freshnessPool::shutdownNow);
        OfrepRoutes ofrepRoutes = new OfrepRoutes(new OfrepEvaluation(flagSnapshots), new SnapshotVersionWaiter(
                flagSnapshots, SnapshotVersionWaiter.DEFAULT_WAIT, SnapshotVersionWaiter.DEFAULT_MAX_WAITING, freshnessPool));
        wiring.edge().cors(OfrepRoutes.PATHS).errors(ofrepRoutes::edgeError, OfrepRoutes.PATHS);
        wiring.routes().add(ofrepRoutes::register);
        wiring.routes().add(ofrepEvents::register);
        return ofrepEvents;
    }

    /**
     * The signal windows (this instance's, flushed to PostgreSQL), client events, heartbeats and the fleet view.
     * Closed after HTTP stops (resources close in reverse), so the open window is flushed with everything in it.
     */
    /** What the signals hand to the features that read them. */
    private record WiredSignals(SignalWindows windows, SignalStore store, FleetSignals fleet, String instanceId) {
    }

    private static WiredSignals wireSignals(Wiring wiring, Database database, FlagSnapshots flagSnapshots,
                                            WhisperPool engine) {
        Settings settings = wiring.settings();
        SignalStore store = new SignalStore(database.jdbi(), JsonMapping.objectMapper());
        String instanceId = settings.instanceId().orElseGet(App::generatedInstanceId);
        Instant startedAt = wiring.clock().instant();
        SignalWindows windows = new SignalWindows(store, wiring.clock(), instanceId,
                new SignalWindows.Retention(settings.signalsBuffer(), settings.signalsFineRetention(),
                        settings.signalsRollupRetention()),
                () -> new InstanceStatus(instanceId, VERSION, startedAt, wiring.clock().instant(), engine.isLoaded(),
                        engine.busyWorkers(), engine.queueDepth()));
        windows.start();
        wiring.resources().add(windows);
        wiring.health().add(new SignalsHealth(windows));
        wiring.metrics().gauge("cutover.signals.windows.waiting", windows, SignalWindows::pendingWindows);
        wiring.metrics().gauge("cutover.signals.windows.dropped", windows, SignalWindows::droppedWindows);
        wiring.metrics().gauge("cutover.signals.observations.dropped", windows, SignalWindows::droppedObservations);
        FleetSignals fleet = new FleetSignals(store, wiring.clock(), () -> flagSnapshots.current()
                .map(s -> s.percentage().doubleValue() / 100).orElse(0.0));
        wiring.edge().cors(EventRoutes.PATH)
                .gate(wiring.adminAuth().gate(), "/api/v1/signals", SignalRoutes.SIGNALS_PATHS, SignalRoutes.INSTANCES_PATH);
        wiring.routes().add(new EventRoutes(windows, settings.eventsRateLimit(), settings.trustProxy())::register);
        wiring.routes().add(new SignalRoutes(fleet)::register);
        Log.LOG.info("Signals: instance {}, windows flushed to PostgreSQL", instanceId);
        return new WiredSignals(windows, store, fleet, instanceId);
    }

    private static String generatedInstanceId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "cutover";
        }
        return host + "-" + Long.toHexString(new java.security.SecureRandom().nextLong() & 0xffffffL);
    }

    private static void wireTranscription(Wiring wiring, Database database, WhisperPool speechEngine,
                                          SignalWindows signals, ProviderEnforcement enforcement) {
        Settings settings = wiring.settings();
        new WhisperPoolMetrics(speechEngine).bindTo(wiring.metrics());

        TranscriptCache transcriptCache = TranscriptCaches.open(settings.redisUrl(), settings.cacheTtl(), settings.redisTimeout());
        wiring.resources().add(transcriptCache);
        ApiKeyAuth apiKeyAuth = new ApiKeyAuth(settings.whisperApiKey());
        if (!apiKeyAuth.isRequired()) {
            Log.LOG.warn("WHISPER_API_KEY is not set: /transcribe and /v1/audio/transcriptions are open to anyone who reaches this port");
        }
        TranscriptionMetrics transcriptionMetrics = new TranscriptionMetrics(wiring.metrics());
        settings.redisUrl().ifPresent(url -> transcriptionMetrics.redisUp(() -> transcriptCache.state().available()));
        transcriptionMetrics.databaseUp(database::isReachable);
        InstanceTotals outcomes = new InstanceTotals(wiring.clock());
        UploadAudioDecoder audioDecoder = new UploadAudioDecoder(AudioLimits.from(settings));
        TranscriptionService transcriptionService = new TranscriptionService(
                audioDecoder, speechEngine, transcriptCache, transcriptionMetrics,
                OutcomeRecorder.all(List.of(transcriptionMetrics, outcomes, new ServerSignals(signals))), wiring.clock());

        wiring.health().add(new ModelHealth(speechEngine));
        wiring.health().add(audioDecoder.health());
        wiring.health().add(new CacheHealth(transcriptCache));
        wiring.health().add(new TranscriptionHealth(apiKeyAuth));
        TranscriptionRoutes transcriptionRoutes = new TranscriptionRoutes(transcriptionService, apiKeyAuth);
        OpenAiTranscriptionRoutes openAiRoutes = new OpenAiTranscriptionRoutes(transcriptionService, apiKeyAuth);
        wiring.edge().gate(transcriptionRoutes.gate(enforcement::refusal), TranscriptionRoutes.ROUTE)
                .gate(openAiRoutes.gate(enforcement::refusal), OpenAiTranscriptionRoutes.ROUTE)
                .uploads(TranscriptionRoutes.ROUTE, OpenAiTranscriptionRoutes.ROUTE)
                .errors((path, error) -> EdgeResponses.Answer.error(error), TranscriptionRoutes.ROUTE)
                .errors(openAiRoutes::edgeError, OpenAiTranscriptionRoutes.ROUTE);
        wiring.routes().add(transcriptionRoutes::register);
        wiring.routes().add(openAiRoutes::register);
        wiring.routes().add(new StatsRoutes(outcomes, transcriptionMetrics, transcriptCache, transcriptionService)::register);
    }

    private static void configureHttp(JavalinConfig config, Wiring wiring) {
        Settings settings = wiring.settings();
        config.jsonMapper(new JavalinJackson(JsonMapping.objectMapper(), false));
        config.startup.showJavalinBanner = false;
        config.http.prefer405over404 = true;
        // Javalin copies each response through a buffer this size (32 KB by default, for answers of a few hundred
        // bytes): most of the garbage per client-events request (bench/events.sh).
        config.http.responseBufferSize = 8 * 1024;
        config.jetty.threadPool = threadPool(settings);
        config.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(settings.minRequestDataRate()));
        config.jetty.addConnector((server, httpConfiguration) -> {
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration));
            connector.setPort(settings.port());
            connector.setIdleTimeout(settings.httpIdleTimeout().toMillis());
            return connector;
        });
        RequestEdge edge = wiring.edge().build();
        config.jetty.modifyServer(server -> {
            server.setErrorHandler(new JsonProtocolErrors());
            // Idle connections are bounded by HTTP_IDLE_TIMEOUT; their number by HTTP_MAX_CONNECTIONS.
            server.addBean(new NetworkConnectionLimit(settings.httpMaxConnections(), server));
            // Server -> edge -> upload limiter -> (Javalin's statistics handler -> servlet).
            // Uploads (and the transcriptions they wait for) may hold at most a quarter of the pool, so the
            // other blocking routes (OFREP, admin, /health) always find a thread.
            int uploads = Math.min(settings.uploadConcurrency(), Math.max(1, maxThreads(settings) / 4));
            server.insertHandler(new UploadLimiter(uploads, settings.requestBodyTimeout(),
                    TranscriptionRoutes.ROUTE, OpenAiTranscriptionRoutes.ROUTE));
            server.insertHandler(edge);
        });
        ErrorResponses.install(config);
        new HealthRoutes(wiring.health(), VERSION, wiring.adminAuth()).register(config);
        new MetricsRoutes(wiring.metrics()).register(config);
        new UiRoutes().register(config);
        new OpenApiRoutes().register(config);
        wiring.routes().forEach(routes -> routes.accept(config));
    }

    /**
     * Platform threads bounded by HTTP_THREADS (Javalin's 250 when unset; fewer cut context switching on small
     * machines, see bench/assignment.sh). On a JVM with virtual threads (21+), Jetty runs blocking work on them too
     * (HTTP_VIRTUAL_THREADS=auto), on top of the edge's isolation, which holds on 17 as well.
     */
    private static QueuedThreadPool threadPool(Settings settings) {
        int max = maxThreads(settings);
        QueuedThreadPool pool = new QueuedThreadPool(max, Math.min(8, max));
        pool.setName("http");
        if (settings.httpVirtualThreads() && VirtualThreads.areSupported()) {
            pool.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("http-virtual"));
            Log.LOG.info("HTTP: blocking work runs on virtual threads ({} platform threads at most)", max);
        }
        return pool;
    }

    private static int maxThreads(Settings settings) {
        return settings.httpThreads() > 0 ? settings.httpThreads() : DEFAULT_HTTP_THREADS;
    }

    public int port() {
        return http.port();
    }

    /**
     * The endpoints registered with Javalin, as {@code METHOD path} (e.g. {@code GET /api/v1/flags/{key}}), for the test
     * that holds them against openapi.json. Routes the request edge answers itself and static files are not among them.
     */
    public List<String> javalinEndpoints() {
        return http.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint.method.name() + " " + parsed.endpoint.path)
                .toList();
    }

    /** Stops everything in the reverse order it was started. */
    @Override
    public synchronized void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                Log.LOG.warn("Failed to close {}", resources.get(i), e);
            }
        }
        resources.clear();
    }

    /** The logger, created on first use: the command line (the other branch of main) never starts SLF4J. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(App.class);
    }
}
