package dev.cutover.db;

import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthStatus;
import java.util.Map;

/** Reports whether PostgreSQL answers right now; unreachable is DEGRADED because assignment serves from memory. */
public final class DatabaseHealth implements HealthIndicator {
    private final Database database;

    public DatabaseHealth(Database database) {
        this.database = database;
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public Report report() {
        boolean reachable = database.isReachable();
        return new Report(reachable ? HealthStatus.UP : HealthStatus.DEGRADED, Map.of("reachable", reachable));
    }
}
