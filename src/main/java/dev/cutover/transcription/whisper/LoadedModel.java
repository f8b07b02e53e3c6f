package dev.cutover.transcription.whisper;

import io.github.givimad.whisperjni.WhisperContext;
import io.github.givimad.whisperjni.WhisperJNI;
import io.github.givimad.whisperjni.WhisperState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One whisper.cpp context and its states. Idle states wait in a queue; a thread that takes one owns it until it puts
 * it back, so no state is ever used by two threads. Thread-safe.
 */
final class LoadedModel {
    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

    final WhisperJNI jni;
    final ModelFileCheck.ModelInfo info;
    final boolean multilingual;
    private final WhisperContext context;
    private final List<WhisperState> all;
    private final BlockingQueue<WhisperState> idle;

    LoadedModel(WhisperJNI jni, WhisperContext context, List<WhisperState> states, ModelFileCheck.ModelInfo info,
            boolean multilingual) {
        this.jni = jni;
        this.context = context;
        this.all = List.copyOf(states);
        this.idle = new ArrayBlockingQueue<>(states.size(), false, states);
        this.info = info;
        this.multilingual = multilingual;
    }

    WhisperContext context() {
        return context;
    }

    int workers() {
        return all.size();
    }

    int idleWorkers() {
        return idle.size();
    }

    WhisperState poll(Duration timeout) throws InterruptedException {
        return idle.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    void release(WhisperState state) {
        idle.add(state);
    }

    /**
     * Waits up to {@code grace} for busy states to come back, then frees everything. If a state is still busy the
     * context and that state are left allocated (freeing them under a running inference would crash the JVM).
     */
    void free(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<WhisperState> collected = new ArrayList<>();
        try {
            while (collected.size() < all.size()) {
                WhisperState state = idle.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (state == null) {
                    break;
                }
                collected.add(state);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        WhisperNative.LIFECYCLE.lock();
        try {
            for (WhisperState state : collected) {
                state.close();
            }
            if (collected.size() == all.size()) {
                context.close();
                WhisperNative.release(all.size());
            } else {
                LOG.warn("{} whisper state(s) still busy after {}; leaving the model allocated",
                        all.size() - collected.size(), grace);
            }
        } finally {
            WhisperNative.LIFECYCLE.unlock();
        }
    }
}
