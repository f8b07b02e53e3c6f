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
 * wrapper keeps contexts and states in unlocked global maps and whisper.cpp has a fixed pool of ggml contexts, so
 * every create/free must hold {@link #LIFECYCLE} and at most {@link #MAX_STATES} states may exist per process.
 */
final class WhisperNative {
    static final String LIBDIR_PROPERTY = "io.github.givimad.whisperjni.libdir";
    /** Held while creating or freeing any whisper context or state. */
    static final Object LIFECYCLE = new Object();
    /** whisper.cpp's 64 ggml contexts allow 8 states (7 contexts each) with room for the model. */
    static final int MAX_STATES = 8;

    private static final Logger LOG = LoggerFactory.getLogger(WhisperNative.class);
    private static final String VERSION = "1.7.1";
    private static WhisperJNI instance;
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

    /** Reserves room for {@code count} new states; false when the process limit would be exceeded. */
    static synchronized boolean reserveStates(int count) {
        if (liveStates + count > MAX_STATES) {
            return false;
        }
        liveStates += count;
        return true;
    }

    static synchronized void releaseStates(int count) {
        liveStates = Math.max(0, liveStates - count);
    }

    static synchronized int liveStates() {
        return liveStates;
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
