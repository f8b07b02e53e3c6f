package dev.cutover.transcription.whisper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * Writes a whisper.cpp legacy ggml model file that transcribes any audio as a chosen sentence: every weight is zero
 * except layer-norm weights (1), {@code decoder.positional_embedding[pos][pos] = 100} and
 * {@code decoder.token_embedding[script[j]][j] = 4}. With the encoder contributing nothing, the decoder's output at
 * text position {@code j} is dominated by the position, so greedy or beam decoding emits {@code script[j]}.
 * Streams through a little-endian buffer, so a tiny-sized (~76 MB) model costs little memory. Writes
 * {@code <model>.sha256} ({@code sha256sum} format) beside the model. Stateless; safe from any thread.
 */
public final class GgmlModelWriter {
    private static final float POSITION_WEIGHT = 100f;
    private static final float SCRIPT_WEIGHT = 4f;
    private static final int BUFFER_BYTES = 1 << 20;

    /** The file written, its SHA-256 (hex) and its size. */
    public record WrittenModel(Path file, String sha256, long bytes) {
    }

    private GgmlModelWriter() {
    }

    public static WrittenModel write(Path target, ModelDimensions dims, ScriptedSentence sentence)
            throws IOException {
        checkFits(dims, sentence);
        Path absolute = target.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
        String sha256;
        try (Output out = new Output(FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))) {
            writeHeader(out, dims);
            writeVocabulary(out, sentence.vocabulary());
            for (TensorLayout.Tensor tensor : TensorLayout.of(dims)) {
                writeTensor(out, tensor, dims, sentence);
            }
            sha256 = out.finish();
        }
        Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(absolute.resolveSibling(absolute.getFileName() + ".sha256"),
                sha256 + "  " + absolute.getFileName() + "\n", StandardCharsets.US_ASCII);
        return new WrittenModel(absolute, sha256, Files.size(absolute));
    }

    private static void checkFits(ModelDimensions dims, ScriptedSentence sentence) {
        int positions = sentence.script().length;
        if (positions > Math.min(dims.textState(), dims.textCtx())) {
            throw new IllegalArgumentException("A " + dims.textState() + "-wide model can say at most "
                    + (Math.min(dims.textState(), dims.textCtx()) - 3) + " words; use larger dimensions");
        }
        if (dims.nVocab() != ModelDimensions.VOCAB_ENGLISH) {
            throw new IllegalArgumentException("Scripted models use the English-only vocabulary ("
                    + ModelDimensions.VOCAB_ENGLISH + " tokens)");
        }
        if (dims.ftype() != 1) {
            throw new IllegalArgumentException("ftype must be 1 (F16): whisper.cpp v1.7.1 aborts on F32 convolutions");
        }
    }

    private static void writeHeader(Output out, ModelDimensions dims) throws IOException {
        out.putInt(ModelFileCheck.GGML_MAGIC);
        for (int field : dims.asFileFields()) {
            out.putInt(field);
        }
        float[][] filters = MelFilters.slaney(dims.nMels());
        out.putInt(dims.nMels());
        out.putInt(MelFilters.N_BINS);
        for (float[] row : filters) {
            for (float weight : row) {
                out.putFloat(weight);
            }
        }
    }

    private static void writeVocabulary(Output out, List<String> tokens) throws IOException {
        out.putInt(tokens.size());
        for (String token : tokens) {
            byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
            out.putInt(bytes.length);
            out.putBytes(bytes);
        }
    }

    private static void writeTensor(Output out, TensorLayout.Tensor tensor, ModelDimensions dims,
            ScriptedSentence sentence) throws IOException {
        byte[] name = tensor.name().getBytes(StandardCharsets.US_ASCII);
        int type = tensor.type(dims.ftype());
        out.putInt(tensor.shape().length);
        out.putInt(name.length);
        out.putInt(type);
        for (int dim : tensor.shape()) {
            out.putInt(dim);
        }
        out.putBytes(name);

        float fill = TensorLayout.isLayerNormWeight(tensor.name()) ? 1f : 0f;
        TreeMap<Long, Float> exceptions = scriptedValues(tensor.name(), dims, sentence);
        long elements = tensor.elements();
        long next = 0;
        for (var entry : exceptions.entrySet()) {
            out.putRepeated(fill, type, entry.getKey() - next);
            out.putRepeated(entry.getValue(), type, 1);
            next = entry.getKey() + 1;
        }
        out.putRepeated(fill, type, elements - next);
    }

    /** The few non-zero weights that make the decoder follow the script, by flat index (ggml order). */
    private static TreeMap<Long, Float> scriptedValues(String name, ModelDimensions dims, ScriptedSentence sentence) {
        TreeMap<Long, Float> values = new TreeMap<>();
        long state = dims.textState();
        if (name.equals("decoder.positional_embedding")) {
            for (int pos = 0; pos < Math.min(dims.textState(), dims.textCtx()); pos++) {
                values.put(pos * state + pos, POSITION_WEIGHT);
            }
        } else if (name.equals("decoder.token_embedding.weight")) {
            int[] script = sentence.script();
            for (int pos = 0; pos < script.length; pos++) {
                values.put(script[pos] * state + pos, SCRIPT_WEIGHT);
            }
        }
        return values;
    }

    /** A little-endian buffered channel writer that also hashes everything it writes. */
    private static final class Output implements AutoCloseable {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final MessageDigest digest;

        Output(FileChannel channel) {
            this.channel = channel;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void putInt(int value) throws IOException {
            room(4);
            buffer.putInt(value);
        }

        void putFloat(float value) throws IOException {
            room(4);
            buffer.putFloat(value);
        }

        void putBytes(byte[] bytes) throws IOException {
            for (int offset = 0; offset < bytes.length; ) {
                room(1);
                int n = Math.min(buffer.remaining(), bytes.length - offset);
                buffer.put(bytes, offset, n);
                offset += n;
            }
        }

        void putRepeated(float value, int type, long count) throws IOException {
            short half = HalfFloat.fromFloat(value);
            for (long i = 0; i < count; i++) {
                if (type == TensorLayout.TYPE_F16) {
                    room(2);
                    buffer.putShort(half);
                } else {
                    room(4);
                    buffer.putFloat(value);
                }
            }
        }

        private void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                drain();
            }
        }

        private void drain() throws IOException {
            buffer.flip();
            digest.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        String finish() throws IOException {
            drain();
            channel.force(true);
            return HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
