package dev.cutover.transcription.whisper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every tensor whisper.cpp v1.7.1 expects for given dimensions, with its ggml shape (PyTorch shape reversed). Used
 * to write test models and to check a model file in Java before native code ever reads it.
 */
final class TensorLayout {
    static final int TYPE_F32 = 0;
    static final int TYPE_F16 = 1;

    /** One expected tensor; {@code matrix} tensors are stored F16 when the file's ftype is 1, the rest always F32. */
    record Tensor(String name, int[] shape, boolean matrix) {
        long elements() {
            long n = 1;
            for (int dim : shape) {
                n *= dim;
            }
            return n;
        }

        int type(int ftype) {
            return matrix && ftype == 1 ? TYPE_F16 : TYPE_F32;
        }

        long bytes(int ftype) {
            return elements() * (type(ftype) == TYPE_F16 ? 2 : 4);
        }
    }

    private TensorLayout() {
    }

    static Map<String, Tensor> byName(ModelDimensions d) {
        Map<String, Tensor> map = new LinkedHashMap<>();
        for (Tensor tensor : of(d)) {
            map.put(tensor.name(), tensor);
        }
        return map;
    }

    static List<Tensor> of(ModelDimensions d) {
        List<Tensor> tensors = new ArrayList<>();
        int a = d.audioState();
        tensors.add(vector("encoder.positional_embedding", a, d.audioCtx()));
        tensors.add(matrix("encoder.conv1.weight", 3, d.nMels(), a));
        tensors.add(vector("encoder.conv1.bias", 1, a));
        tensors.add(matrix("encoder.conv2.weight", 3, a, a));
        tensors.add(vector("encoder.conv2.bias", 1, a));
        for (int i = 0; i < d.audioLayers(); i++) {
            String p = "encoder.blocks." + i + ".";
            addFeedForward(tensors, p, a);
            addAttention(tensors, p + "attn", a);
        }
        tensors.add(vector("encoder.ln_post.weight", a));
        tensors.add(vector("encoder.ln_post.bias", a));

        int t = d.textState();
        tensors.add(vector("decoder.positional_embedding", t, d.textCtx()));
        tensors.add(matrix("decoder.token_embedding.weight", t, d.nVocab()));
        for (int i = 0; i < d.textLayers(); i++) {
            String p = "decoder.blocks." + i + ".";
            addFeedForward(tensors, p, t);
            addAttention(tensors, p + "attn", t);
            addAttention(tensors, p + "cross_attn", t);
        }
        tensors.add(vector("decoder.ln.weight", t));
        tensors.add(vector("decoder.ln.bias", t));
        return tensors;
    }

    static boolean isLayerNormWeight(String name) {
        return name.endsWith("ln.weight") || name.endsWith("ln_post.weight");
    }

    private static void addFeedForward(List<Tensor> tensors, String prefix, int state) {
        tensors.add(vector(prefix + "mlp_ln.weight", state));
        tensors.add(vector(prefix + "mlp_ln.bias", state));
        tensors.add(matrix(prefix + "mlp.0.weight", state, 4 * state));
        tensors.add(vector(prefix + "mlp.0.bias", 4 * state));
        tensors.add(matrix(prefix + "mlp.2.weight", 4 * state, state));
        tensors.add(vector(prefix + "mlp.2.bias", state));
    }

    private static void addAttention(List<Tensor> tensors, String prefix, int state) {
        tensors.add(vector(prefix + "_ln.weight", state));
        tensors.add(vector(prefix + "_ln.bias", state));
        tensors.add(matrix(prefix + ".query.weight", state, state));
        tensors.add(vector(prefix + ".query.bias", state));
        tensors.add(matrix(prefix + ".key.weight", state, state));
        tensors.add(matrix(prefix + ".value.weight", state, state));
        tensors.add(vector(prefix + ".value.bias", state));
        tensors.add(matrix(prefix + ".out.weight", state, state));
        tensors.add(vector(prefix + ".out.bias", state));
    }

    private static Tensor vector(String name, int... shape) {
        return new Tensor(name, shape, false);
    }

    private static Tensor matrix(String name, int... shape) {
        return new Tensor(name, shape, true);
    }
}
