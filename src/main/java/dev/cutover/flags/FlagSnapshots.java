package dev.cutover.flags;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link FlagSnapshot} of this instance and tells listeners when it changes.
 * Thread-safe: the snapshot is swapped atomically; readers never lock.
 */
public final class FlagSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(FlagSnapshots.class);
    private final AtomicReference<FlagSnapshot> current = new AtomicReference<>();
    private final List<Consumer<FlagSnapshot>> listeners = new CopyOnWriteArrayList<>();

    public Optional<FlagSnapshot> current() {
        return Optional.ofNullable(current.get());
    }

    /**
     * Installs a newer snapshot; listeners hear about it, on the calling thread, only when the flag's content changed.
     */
    public void replace(FlagSnapshot next) {
        FlagSnapshot previous = current.getAndSet(next);
        if (previous == null || previous.version() != next.version() || !previous.overrides().equals(next.overrides())) {
            for (Consumer<FlagSnapshot> listener : listeners) {
                try {
                    listener.accept(next);
                } catch (RuntimeException e) {
                    // One broken listener must not stop the others, nor make the refresher think the load failed.
                    LOG.error("A flag change listener failed on version {}", next.version(), e);
                }
            }
        }
    }

    public void onChange(Consumer<FlagSnapshot> listener) {
        listeners.add(listener);
    }
}
