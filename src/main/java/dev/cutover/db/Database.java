package dev.cutover.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL connection pool, the embedded server when no DATABASE_URL is given, and the Flyway migrations.
 * Starting never fails because PostgreSQL is unreachable: the pool connects lazily and {@link #migrateIfNeeded()}
 * is retried by whoever needs the schema. Thread-safe.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final Path FILESYSTEM_MIGRATIONS = Path.of("migrations");
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);

    private final HikariDataSource pool;
    private final Optional<EmbeddedPostgres> embedded;
    private final DatabaseUrl url;
    private final Jdbi jdbi;
    private final AtomicBoolean migrated = new AtomicBoolean();
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "database-probe");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean reachable;

    private Database(DatabaseUrl url, Optional<EmbeddedPostgres> embedded) {
        this.url = url;
        this.embedded = embedded;
        this.pool = new HikariDataSource(poolConfig(url));
        this.jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
        probe();
        // Health checks and metric scrapes read the last probe instead of waiting out a connection timeout themselves.
        prober.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Connects to {@code databaseUrl}, or starts an embedded PostgreSQL keeping its data under {@code dataDir/postgres}. */
    public static Database open(Optional<String> databaseUrl, Path dataDir) {
        if (databaseUrl.isPresent()) {
            return new Database(DatabaseUrl.parse(databaseUrl.get()), Optional.empty());
        }
        EmbeddedPostgres postgres = startEmbedded(dataDir.resolve("postgres"));
        String jdbc = postgres.getJdbcUrl("postgres", "postgres");
        LOG.info("No DATABASE_URL: started embedded PostgreSQL with its data in {}", dataDir.resolve("postgres").toAbsolutePath());
        return new Database(new DatabaseUrl(jdbc, Optional.of("postgres"), Optional.empty()), Optional.of(postgres));
    }

    private static EmbeddedPostgres startEmbedded(Path directory) {
        try {
            Files.createDirectories(directory);
            return EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL in " + directory, e);
        }
    }

    private static HikariConfig poolConfig(DatabaseUrl url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        url.user().ifPresent(config::setUsername);
        url.password().ifPresent(config::setPassword);
        config.setPoolName("cutover");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(1);
        // Fail fast while PostgreSQL is down so callers can degrade instead of hanging.
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "10");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        return config;
    }

    /** Applies pending migrations once; returns false (and logs) when PostgreSQL cannot be reached. */
    public boolean migrateIfNeeded() {
        if (migrated.get()) {
            return true;
        }
        synchronized (migrated) {
            if (migrated.get()) {
                return true;
            }
            try {
                Flyway.configure()
                        .dataSource(pool)
                        .locations(migrationLocation())
                        .load()
                        .migrate();
                migrated.set(true);
                return true;
            } catch (RuntimeException e) {
                LOG.warn("Database migrations could not run yet: {}", rootMessage(e));
                return false;
            }
        }
    }

    private static String migrationLocation() {
        return Files.isDirectory(FILESYSTEM_MIGRATIONS)
                ? "filesystem:" + FILESYSTEM_MIGRATIONS.toAbsolutePath()
                : "classpath:db/migration";
    }

    /** Whether the last probe (at most two seconds ago) could take and validate a connection. Never blocks. */
    public boolean isReachable() {
        return reachable;
    }

    private void probe() {
        try (Connection c = pool.getConnection()) {
            reachable = c.isValid(1);
        } catch (SQLException | RuntimeException e) {
            reachable = false;
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return pool;
    }

    /** The location of the database, for components (LISTEN) that need their own dedicated connection. */
    public DatabaseUrl url() {
        return url;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Override
    public void close() {
        prober.shutdownNow();
        pool.close();
        embedded.ifPresent(p -> {
            try {
                p.close();
            } catch (IOException e) {
                LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
            }
        });
    }
}
