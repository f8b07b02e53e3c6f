package dev.cutover.flags;

import dev.cutover.db.DatabaseUrl;
import dev.cutover.testing.TestApp;
import java.math.BigDecimal;
import org.jdbi.v3.core.Jdbi;

/**
 * Changes the flag in a test app's database through the real {@link FlagStore} writes (row, version bump and NOTIFY
 * in one transaction), so the app's refresher picks them up exactly as it does an engineer's change.
 */
final class FlagWrites {
    private final FlagStore store;

    private FlagWrites(FlagStore store) {
        this.store = store;
    }

    static FlagWrites on(TestApp app) {
        DatabaseUrl url = DatabaseUrl.parse(app.env().get("DATABASE_URL"));
        return new FlagWrites(new FlagStore(Jdbi.create(url.jdbcUrl(), url.user().orElse("postgres"), url.password().orElse(""))));
    }

    long set(String percentage, FlagStatus status) {
        return store.jdbi().inTransaction(handle -> {
            FlagState current = store.lockFlag(handle, FlagSnapshot.FLAG_KEY).orElseThrow();
            FlagState next = store.updateFlag(handle, FlagSnapshot.FLAG_KEY, new BigDecimal(percentage), status,
                    current.version()).orElseThrow();
            store.notifyChange(handle, next);
            return next.version();
        });
    }

    long allow(OverrideSubject subject, String id) {
        return store.jdbi().inTransaction(handle -> {
            store.lockFlag(handle, FlagSnapshot.FLAG_KEY).orElseThrow();
            store.insertOverride(handle, FlagSnapshot.FLAG_KEY, OverrideList.ALLOW, subject, id, "test", "test");
            FlagState next = store.bumpVersion(handle, FlagSnapshot.FLAG_KEY);
            store.notifyChange(handle, next);
            return next.version();
        });
    }
}
