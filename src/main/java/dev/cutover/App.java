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
import dev.cutover.http.AdminAuth;
import dev.cutover.http.ErrorResponses;
import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthRoutes;
import dev.cutover.http.JsonMapping;
import dev.cutover.http.JsonProtocolErrors;
import dev.cutover.http.MetricsRoutes;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
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

        List<HealthIndicator> health = new ArrayList<>();
        health.add(new DatabaseHealth(database));
        health.add(new FlagHealth(flagSnapshots, flagRefresher));

        HealthRoutes healthRoutes = new HealthRoutes(health, VERSION);
        MetricsRoutes metricsRoutes = new MetricsRoutes(metrics);

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
            healthRoutes.register(config);
            metricsRoutes.register(config);
            assignmentRoutes.register(config);
            flagAdminRoutes.register(config);
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
