package dev.cutover.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A PostgreSQL server of its own for the outage tests: stopped under a running app and started again on the same port
 * with the same data, as a restarted database server would come back. Not thread-safe: one test drives it.
 */
public final class StoppablePostgres implements AutoCloseable {
    private final Path data;
    private final int port;
    private EmbeddedPostgres server;

    private StoppablePostgres(Path data, int port) {
        this.data = data;
        this.port = port;
    }

    /** A server on a free port keeping its data in {@code data}, not started yet. */
    public static StoppablePostgres at(Path data) {
        return new StoppablePostgres(data, Machine.freePort());
    }

    /** A server on a free port keeping its data in {@code data}, started. */
    public static StoppablePostgres started(Path data) {
        StoppablePostgres postgres = at(data);
        postgres.start();
        return postgres;
    }

    /** Its {@code postgres} database, as DATABASE_URL names it. */
    public String url() {
        return "postgresql://postgres@localhost:" + port + "/postgres";
    }

    public void start() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                server = null;
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
