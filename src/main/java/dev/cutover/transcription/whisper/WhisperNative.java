package dev.cutover.transcription.whisper;

import io.github.givimad.whisperjni.WhisperJNI;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide access to whisper-jni's native library.
 *
 * <p>whisper-jni unpacks its libraries into a new {@code java.io.tmpdir/whisper-jni-<nanoTime>/} on every start and
 * never removes that directory. On Linux x86-64 this class instead copies the same files (the CPU-specific
 * ggml build picked the way whisper-jni picks it) once into a stable directory, normally {@code DATA_DIR/native/},
 * replacing a file only when its content differs and always by atomic rename (so another process that has the old
 * file mapped is unaffected), then points whisper-jni at it with {@code io.github.givimad.whisperjni.libdir}. An
 * explicit {@code -Dio.github.givimad.whisperjni.libdir=DIR} wins; other platforms use whisper-jni's own extraction.
 *
 * <p>Thread-safety: loading is synchronized and happens once per JVM (the first caller's directory wins). The JNI
 * wrapper keeps contexts and states in unlocked global {@code std::map}s that every call looks up, so creating or
 * freeing a context or state holds {@link #LIFECYCLE} (exclusive) and every inference holds {@link #INFERENCE}
 * (shared) for as long as it uses them: inferences run in parallel, but never while a map is being changed.
 * whisper.cpp draws from a fixed table of 64 ggml contexts: a model context holds 2 and a state 7 (its caches plus
 * the graphs of a running inference); running out crashes the JVM inside ggml, so models and states are only
 * created after {@link #reserve(int)} has found room for them.
 */
final class WhisperNative {
    static final String LIBDIR_PROPERTY = "io.github.givimad.whisperjni.libdir";
    private static final ReentrantReadWriteLock NATIVE_MAPS = new ReentrantReadWriteLock(true);
    /** Held while creating or freeing any whisper context or state. */
    static final Lock LIFECYCLE = NATIVE_MAPS.writeLock();
    /** Held while a context and state are used for an inference and its results are read. */
    static final Lock INFERENCE = NATIVE_MAPS.readLock();
    /** At most 8 states fit in whisper.cpp's 64 ggml contexts (7 each), with room for one model. */
    static final int MAX_STATES = 8;
    private static final int GGML_CONTEXTS = 64;
    private static final int CONTEXTS_PER_MODEL = 2;
    private static final int CONTEXTS_PER_STATE = 7;

    private static final Logger LOG = LoggerFactory.getLogger(WhisperNative.class);
    private static final String VERSION = "1.7.1";
    private static WhisperJNI instance;
    private static int contextsInUse;
    private static int liveModels;
    private static int liveStates;

    private WhisperNative() {
    }

    /** Loads the library once and returns the shared binding. */
    static synchronized WhisperJNI load(Path stableDir) throws IOException {
        if (instance != null) {
            return instance;
        }
        if (System.getProperty(LIBDIR_PROPERTY) == null) {
            Optional<Path> extracted = extractStable(stableDir);
            extracted.ifPresent(dir -> System.setProperty(LIBDIR_PROPERTY, dir.toString()));
        }
        WhisperJNI.loadLibrary(message -> LOG.debug("whisper-jni: {}", message));
        instance = new WhisperJNI();
        return instance;
    }

    /**
     * Reserves ggml contexts for one model with {@code states} states; false when they would not fit (measured: 8
     * models with 1 state each crash, 7 do not; 1 model with 8 states runs 8 inferences at once).
     */
    static synchronized boolean reserve(int states) {
        int needed = CONTEXTS_PER_MODEL + CONTEXTS_PER_STATE * states;
        if (contextsInUse + needed > GGML_CONTEXTS) {
            return false;
        }
        contextsInUse += needed;
        liveModels++;
        liveStates += states;
        return true;
    }

    /** Returns what {@link #reserve(int)} took, once the model and its states are freed. */
    static synchronized void release(int states) {
        contextsInUse = Math.max(0, contextsInUse - CONTEXTS_PER_MODEL - CONTEXTS_PER_STATE * states);
        liveModels = Math.max(0, liveModels - 1);
        liveStates = Math.max(0, liveStates - states);
    }

    static synchronized String usage() {
        return liveModels + " model(s) with " + liveStates + " state(s)";
    }

    private static Optional<Path> extractStable(Path stableDir) throws IOException {
        Optional<List<String[]>> files = linuxLibraries();
        if (files.isEmpty()) {
            return Optional.empty();
        }
        Path dir = stableDir.resolve("whisper-jni-" + VERSION).toAbsolutePath();
        Files.createDirectories(dir);
        for (String[] file : files.get()) {
            copyIfDifferent(file[0], dir.resolve(file[1]));
        }
        LOG.info("whisper-jni native libraries in {}", dir);
        return Optional.of(dir);
    }

    /** Pairs of (resource in the whisper-jni jar, file name whisper-jni expects), as whisper-jni 1.7.1 picks them. */
    private static Optional<List<String[]>> linuxLibraries() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return Optional.empty();
        }
        String cpu = Files.isReadable(Path.of("/proc/cpuinfo")) ? Files.readString(Path.of("/proc/cpuinfo")) : "";
        String folder;
        String ggml;
        if (arch.contains("amd64") || arch.contains("x86_64")) {
            folder = "/debian-amd64/";
            boolean fast = cpu.contains("avx2") && cpu.contains("fma") && cpu.contains("f16c") && cpu.contains("avx");
            ggml = fast ? "libggml+mf16c+mfma+mavx+mavx2.so" : "libggml.so";
        } else {
            return Optional.empty();
        }
        return Optional.of(List.of(
                new String[] {folder + ggml, "libggml.so"},
                new String[] {folder + "libwhisper.so.1", "libwhisper.so.1"},
                new String[] {folder + "libwhisper-jni.so", "libwhisper-jni.so"}));
    }

    private static void copyIfDifferent(String resource, Path target) throws IOException {
        byte[] content;
        try (InputStream in = WhisperJNI.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("whisper-jni jar has no " + resource);
            }
            content = in.readAllBytes();
        }
        if (Files.isRegularFile(target) && Files.size(target) == content.length
                && java.util.Arrays.equals(Files.readAllBytes(target), content)) {
            return;
        }
        Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".partial");
        try {
            Files.write(temp, content);
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
