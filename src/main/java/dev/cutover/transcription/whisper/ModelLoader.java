package dev.cutover.transcription.whisper;

import io.github.givimad.whisperjni.WhisperContext;
import io.github.givimad.whisperjni.WhisperContextParams;
import io.github.givimad.whisperjni.WhisperJNI;
import io.github.givimad.whisperjni.WhisperState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a model only when it is safe: the file exists, matches its recorded SHA-256 (if one is recorded), and passes
 * {@link ModelFileCheck}; then creates the context and the states under {@link WhisperNative#LIFECYCLE}. Every
 * refusal carries a reason that says what to do. Stateless.
 */
final class ModelLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    /** The checksum verdict, known even when loading fails later. */
    record Checksum(ModelChecksum.Status status, String actual, String expectedSource) {
        static final Checksum UNKNOWN = new Checksum(ModelChecksum.Status.UNREADABLE, "", "none");
    }

    /** Loading refused; {@link #getMessage()} says why and what to do. */
    static final class RefusedException extends Exception {
        final Checksum checksum;

        RefusedException(String message, Checksum checksum) {
            super(message);
            this.checksum = checksum;
        }
    }

    /** A model ready to serve, with its checksum verdict. */
    record Loaded(LoadedModel model, Checksum checksum) {
    }

    private ModelLoader() {
    }

    static Loaded load(WhisperConfig config) throws RefusedException {
        Path path = config.model();
        if (!Files.isRegularFile(path)) {
            throw new RefusedException("model file " + path.toAbsolutePath() + " does not exist; "
                    + downloadHint(path) + " or set WHISPER_MODEL to a ggml model file", Checksum.UNKNOWN);
        }
        FileIdentity before = FileIdentity.of(path, Checksum.UNKNOWN);
        Checksum checksum = verifyChecksum(config);
        ModelFileCheck.ModelInfo info;
        try {
            info = ModelFileCheck.inspect(path);
        } catch (ModelFileCheck.InvalidModelException e) {
            throw new RefusedException("model file " + path + " is not a usable whisper model: " + e.getMessage()
                    + "; " + downloadHint(path), checksum);
        } catch (IOException e) {
            throw new RefusedException("cannot read model file " + path + ": " + e.getMessage(), checksum);
        }
        WhisperJNI jni;
        try {
            jni = WhisperNative.load(config.nativeDir());
        } catch (IOException | LinkageError e) {
            throw new RefusedException("the whisper native library failed to load (" + e.getMessage()
                    + "); on Debian/Ubuntu install libgomp1", checksum);
        }
        LoadedModel model = createStates(jni, config, info, checksum);
        if (!before.equals(FileIdentity.of(path, checksum))) {
            model.free(Duration.ZERO);
            throw new RefusedException("model file " + path + " changed while it was being checked and loaded;"
                    + " restart once it is complete", checksum);
        }
        return new Loaded(model, checksum);
    }

    /** Size, modification time and inode: what must not change between the checks and the native load. */
    private record FileIdentity(long size, FileTime modified, Object key) {
        static FileIdentity of(Path path, Checksum checksum) throws RefusedException {
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                return new FileIdentity(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey());
            } catch (IOException e) {
                throw new RefusedException("cannot read model file " + path + ": " + e.getMessage(), checksum);
            }
        }
    }

    private static Checksum verifyChecksum(WhisperConfig config) throws RefusedException {
        Path path = config.model();
        ModelChecksum.Expected expected;
        String actual;
        try {
            expected = ModelChecksum.expected(path, config.sha256());
            actual = ModelChecksum.sha256Of(path);
        } catch (IllegalArgumentException e) {
            throw new RefusedException("the recorded checksum is unusable: " + e.getMessage()
                    + "; fix it or re-download the model with models/download-model.sh", Checksum.UNKNOWN);
        } catch (IOException e) {
            throw new RefusedException("cannot read model file " + path + ": " + e.getMessage(), Checksum.UNKNOWN);
        }
        if (expected.sha256().isEmpty()) {
            LOG.warn("No recorded SHA-256 for {} (set WHISPER_MODEL_SHA256 or write {}); loading it unverified,"
                    + " its SHA-256 is {}", path, ModelChecksum.sidecarOf(path).getFileName(), actual);
            return new Checksum(ModelChecksum.Status.UNVERIFIED, actual, expected.source());
        }
        if (!expected.sha256().get().equals(actual)) {
            throw new RefusedException("checksum mismatch for " + path + ": its SHA-256 is " + actual
                    + " but " + expected.source() + " expects " + expected.sha256().get()
                    + "; the file is corrupt or not the model you meant, " + downloadHint(path),
                    new Checksum(ModelChecksum.Status.MISMATCH, actual, expected.source()));
        }
        return new Checksum(ModelChecksum.Status.VERIFIED, actual, expected.source());
    }

    private static LoadedModel createStates(WhisperJNI jni, WhisperConfig config, ModelFileCheck.ModelInfo info,
            Checksum checksum) throws RefusedException {
        if (!WhisperNative.reserve(config.workers())) {
            throw new RefusedException("this process already holds " + WhisperNative.usage() + " and whisper.cpp's"
                    + " fixed table of 64 ggml contexts has no room for " + config.workers() + " more (a model takes"
                    + " 2, a state 7); lower WHISPER_WORKERS or close other engines", checksum);
        }
        List<WhisperState> states = new ArrayList<>();
        WhisperContext context = null;
        boolean loaded = false;
        WhisperNative.LIFECYCLE.lock();
        try {
            WhisperContextParams params = new WhisperContextParams();
            params.useGPU = false;
            context = jni.initNoState(config.model(), params);
            if (context == null) {
                throw new RefusedException("whisper.cpp could not load " + config.model()
                        + " (see the log above); " + downloadHint(config.model()), checksum);
            }
            for (int i = 0; i < config.workers(); i++) {
                WhisperState state = jni.initState(context);
                if (state == null) {
                    throw new RefusedException("whisper.cpp could not allocate state " + (i + 1) + " of "
                            + config.workers() + " (out of memory?); lower WHISPER_WORKERS", checksum);
                }
                states.add(state);
            }
            LoadedModel model = new LoadedModel(jni, context, states, info, jni.isMultilingual(context));
            loaded = true;
            return model;
        } catch (IOException e) {
            throw new RefusedException("cannot read model file " + config.model() + ": " + e.getMessage(),
                    checksum);
        } finally {
            if (!loaded) {
                states.forEach(WhisperState::close);
                if (context != null) {
                    context.close();
                }
                WhisperNative.release(config.workers());
            }
            WhisperNative.LIFECYCLE.unlock();
        }
    }

    /** "run models/download-model.sh base.en" for a file named like ggml-base.en.bin. */
    static String downloadHint(Path model) {
        String name = model.getFileName().toString();
        if (name.startsWith("ggml-") && name.endsWith(".bin")) {
            return "run models/download-model.sh " + name.substring(5, name.length() - 4);
        }
        return "run models/download-model.sh base.en and point WHISPER_MODEL at models/ggml-base.en.bin";
    }
}
