package dev.cutover.transcription.whisper;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a whole legacy ggml whisper model file in Java (header, mel filters, vocabulary and every tensor header) and
 * refuses anything whisper.cpp v1.7.1 would abort on or silently misread: bad magic, any ftype but 1 (F16), vocabulary
 * sizes other than 51864/51865 (80 mels) or 51866 (128 mels), mismatched states, truncated sections, unknown or
 * misshapen tensors, partial tensor sets, trailing bytes. Only a file that passes reaches native code.
 */
final class ModelFileCheck {
    /** The first four bytes of a legacy ggml file, "ggml" read as a little-endian int32. */
    static final int GGML_MAGIC = 0x67676d6c;
    private static final int MAX_TOKEN_BYTES = 1024;

    /** What a valid file holds. */
    record ModelInfo(ModelDimensions dims, int vocabularyEntries, int tensors) {
    }

    /** The file is not a model whisper.cpp can load safely; the message says why. */
    static final class InvalidModelException extends Exception {
        InvalidModelException(String message) {
            super(message);
        }
    }

    private ModelFileCheck() {
    }

    static ModelInfo inspect(Path file) throws IOException, InvalidModelException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Reader in = new Reader(channel);
            if (channel.size() < 4 + 11 * 4) {
                throw new InvalidModelException("file is too short to be a whisper model (" + channel.size()
                        + " bytes)");
            }
            if (in.int32() != GGML_MAGIC) {
                throw new InvalidModelException("not a ggml whisper model (bad magic number)");
            }
            ModelDimensions dims = checkDimensions(new ModelDimensions(in.int32(), in.int32(), in.int32(),
                    in.int32(), in.int32(), in.int32(), in.int32(), in.int32(), in.int32(), in.int32(), in.int32()));
            checkMelFilters(in, dims);
            int vocabulary = checkVocabulary(in, dims);
            int tensors = checkTensors(in, dims);
            return new ModelInfo(dims, vocabulary, tensors);
        } catch (EOFException e) {
            throw new InvalidModelException("file is truncated: " + e.getMessage());
        }
    }

    private static ModelDimensions checkDimensions(ModelDimensions d) throws InvalidModelException {
        int expectedMels = d.nVocab() == ModelDimensions.VOCAB_LARGE_V3 ? 128 : 80;
        if (d.nVocab() != ModelDimensions.VOCAB_ENGLISH && d.nVocab() != ModelDimensions.VOCAB_MULTILINGUAL
                && d.nVocab() != ModelDimensions.VOCAB_LARGE_V3) {
            throw new InvalidModelException("unsupported vocabulary size n_vocab=" + d.nVocab()
                    + " (expected 51864, 51865 or 51866)");
        }
        if (d.nMels() != expectedMels) {
            throw new InvalidModelException("n_mels=" + d.nMels() + " does not match n_vocab=" + d.nVocab()
                    + " (expected " + expectedMels + ")");
        }
        if (d.ftype() != 1) {
            // ftype 0 (all F32) loads but aborts in the first convolution (ggml asserts an F16 kernel);
            // quantized types are not vetted here.
            throw new InvalidModelException("unsupported ftype=" + d.ftype()
                    + " (only F16 models, ftype 1, as published for whisper.cpp)");
        }
        if (d.textState() != d.audioState()) {
            throw new InvalidModelException("n_text_state=" + d.textState() + " differs from n_audio_state="
                    + d.audioState());
        }
        if (d.textLayers() == 2) {
            throw new InvalidModelException("first-release distilled models (2 text layers) are not supported");
        }
        // Every published model has these; others are untested paths in native code.
        requireRange("n_audio_ctx", d.audioCtx(), ModelDimensions.FULL_AUDIO_CTX, ModelDimensions.FULL_AUDIO_CTX);
        requireRange("n_text_ctx", d.textCtx(), ModelDimensions.FULL_TEXT_CTX, ModelDimensions.FULL_TEXT_CTX);
        requireRange("n_audio_state", d.audioState(), 1, 8192);
        requireRange("n_audio_layer", d.audioLayers(), 1, 128);
        requireRange("n_text_layer", d.textLayers(), 1, 128);
        requireRange("n_audio_head", d.audioHeads(), 1, 128);
        requireRange("n_text_head", d.textHeads(), 1, 128);
        if (d.audioState() % d.audioHeads() != 0 || d.textState() % d.textHeads() != 0) {
            throw new InvalidModelException("state width " + d.audioState() + " is not divisible by the head count");
        }
        return d;
    }

    private static void requireRange(String field, int value, int min, int max) throws InvalidModelException {
        if (value < min || value > max) {
            throw new InvalidModelException(field + "=" + value + " is outside " + min + ".." + max);
        }
    }

    private static void checkMelFilters(Reader in, ModelDimensions dims) throws IOException, InvalidModelException {
        int nMel = in.int32();
        int nFft = in.int32();
        if (nMel != dims.nMels() || nFft != MelFilters.N_BINS) {
            throw new InvalidModelException("mel filter table is " + nMel + "x" + nFft + ", expected "
                    + dims.nMels() + "x" + MelFilters.N_BINS);
        }
        in.skip((long) nMel * nFft * 4);
    }

    private static int checkVocabulary(Reader in, ModelDimensions dims) throws IOException, InvalidModelException {
        int count = in.int32();
        if (count < 1 || count > dims.nVocab()) {
            throw new InvalidModelException("vocabulary holds " + count + " tokens, expected 1.." + dims.nVocab());
        }
        boolean hasBlank = false;
        for (int i = 0; i < count; i++) {
            int length = in.int32();
            if (length < 0 || length > MAX_TOKEN_BYTES) {
                throw new InvalidModelException("vocabulary token " + i + " has an impossible length " + length);
            }
            if (length == 1) {
                hasBlank |= in.bytes(1)[0] == ' ';
            } else {
                in.skip(length);
            }
        }
        if (!hasBlank) {
            throw new InvalidModelException("vocabulary has no \" \" token (whisper.cpp needs it to suppress blanks)");
        }
        return count;
    }

    private static int checkTensors(Reader in, ModelDimensions dims) throws IOException, InvalidModelException {
        Map<String, TensorLayout.Tensor> expected = TensorLayout.byName(dims);
        Set<String> seen = new HashSet<>();
        while (in.remaining() > 0) {
            int nDims = in.int32();
            int nameLength = in.int32();
            int type = in.int32();
            if (nDims < 1 || nDims > 4 || nameLength < 1 || nameLength > 256) {
                throw new InvalidModelException("malformed tensor header after " + seen.size() + " tensors");
            }
            int[] shape = new int[nDims];
            for (int i = 0; i < nDims; i++) {
                shape[i] = in.int32();
            }
            String name = new String(in.bytes(nameLength), StandardCharsets.UTF_8);
            TensorLayout.Tensor tensor = expected.get(name);
            if (tensor == null) {
                throw new InvalidModelException("unknown tensor '" + name + "'");
            }
            if (!seen.add(name)) {
                throw new InvalidModelException("tensor '" + name + "' appears twice");
            }
            if (!Arrays.equals(trimmed(shape), trimmed(tensor.shape()))) {
                throw new InvalidModelException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                        + ", expected " + Arrays.toString(tensor.shape()));
            }
            if (type != tensor.type(dims.ftype())) {
                throw new InvalidModelException("tensor '" + name + "' has type " + type + ", expected "
                        + tensor.type(dims.ftype()));
            }
            long bytes = tensor.bytes(dims.ftype());
            if (bytes > in.remaining()) {
                throw new InvalidModelException("tensor '" + name + "' is truncated (" + in.remaining() + " of "
                        + bytes + " bytes present)");
            }
            in.skip(bytes);
        }
        if (seen.isEmpty()) {
            throw new InvalidModelException("file holds no tensors (an empty test model never transcribes)");
        }
        if (seen.size() != expected.size()) {
            throw new InvalidModelException("file holds " + seen.size() + " of " + expected.size() + " tensors");
        }
        return seen.size();
    }

    /** ggml pads shapes with 1s, so [S] and [S, 1] are the same tensor. */
    private static int[] trimmed(int[] shape) {
        int length = shape.length;
        while (length > 1 && shape[length - 1] == 1) {
            length--;
        }
        return Arrays.copyOf(shape, length);
    }

    /** Little-endian sequential reads over a channel, with EOF reported as {@link EOFException}. */
    private static final class Reader {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private long bufferStart;

        Reader(FileChannel channel) {
            this.channel = channel;
            buffer.limit(0);
        }

        long position() {
            return bufferStart + buffer.position();
        }

        long remaining() throws IOException {
            return channel.size() - position();
        }

        int int32() throws IOException {
            fill(4);
            return buffer.getInt();
        }

        byte[] bytes(int n) throws IOException {
            fill(n);
            byte[] out = new byte[n];
            buffer.get(out);
            return out;
        }

        void skip(long n) throws IOException {
            if (n > remaining()) {
                throw new EOFException("needs " + n + " more bytes at offset " + position() + ", file has "
                        + remaining());
            }
            long target = position() + n;
            if (target <= bufferStart + buffer.limit()) {
                buffer.position((int) (target - bufferStart));
            } else {
                bufferStart = target;
                buffer.clear().limit(0);
            }
        }

        private void fill(int n) throws IOException {
            if (buffer.remaining() >= n) {
                return;
            }
            long start = position();
            buffer.compact();
            bufferStart = start;
            buffer.flip();
            buffer.position(buffer.limit());
            buffer.limit(buffer.capacity());
            while (buffer.position() < n) {
                int read = channel.read(buffer, bufferStart + buffer.position());
                if (read < 0) {
                    throw new EOFException("needs " + n + " bytes at offset " + start);
                }
            }
            buffer.flip();
        }
    }
}
