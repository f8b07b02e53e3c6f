package dev.cutover.flags;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the current {@link FlagSnapshot} of this instance and tells listeners when it changes.
 * Thread-safe: the snapshot is swapped atomically; readers never lock.
 */
public final class FlagSnapshots {
    private final AtomicReference<FlagSnapshot> current = new AtomicReference<>();
    private final List<Consumer<FlagSnapshot>> listeners = new CopyOnWriteArrayList<>();

    public Optional<FlagSnapshot> current() {
        return Optional.ofNullable(current.get());
    }

    /** Installs a newer snapshot; listeners hear about it only when the flag's content changed. */
    public void replace(FlagSnapshot next) {
        FlagSnapshot previous = current.getAndSet(next);
        if (previous == null || previous.version() != next.version() || !previous.overrides().equals(next.overrides())) {
            listeners.forEach(listener -> listener.accept(next));
        }
    }

    public void onChange(Consumer<FlagSnapshot> listener) {
        listeners.add(listener);
    }
}
