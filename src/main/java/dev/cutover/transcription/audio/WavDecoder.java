package dev.cutover.transcription.audio;

import java.nio.charset.StandardCharsets;

/**
 * Decodes RIFF/RF64 WAVE files in Java and down-mixes them to mono at their own sample rate.
 * Header sizes are never trusted: every length is bounded by the bytes actually present.
 */
final class WavDecoder {
    private static final int HEADER = 12;
    private static final int CHUNK_HEADER = 8;

    private WavDecoder() {
    }

    static PcmAudio decode(byte[] file, AudioLimits limits) {
        WavFormat format = null;
        int dataOffset = -1;
        long dataLength = 0;
        int pos = HEADER;
        while (pos <= file.length - CHUNK_HEADER) {
            String id = new String(file, pos, 4, StandardCharsets.US_ASCII);
            long declared = LittleEndian.u32(file, pos + 4);
            int body = pos + CHUNK_HEADER;
            long available = file.length - body;
            if (id.equals("fmt ") && format == null) {
                if (declared > available) {
                    throw AudioErrors.undecodable("WAV fmt chunk is cut off (" + declared + " bytes declared, "
                            + available + " present)");
                }
                format = WavFormat.parse(file, body, (int) declared);
            } else if (id.equals("data") && dataOffset < 0) {
                dataOffset = body;
                // Streaming writers leave 0xFFFFFFFF (or any too-large size) here; take what is really there.
                dataLength = Math.min(declared, available);
            }
            long next = body + declared + (declared & 1);
            if (next > file.length) {
                break;
            }
            pos = (int) next;
            // Some writers forget the pad byte after an odd-sized chunk; follow whichever position holds an id.
            if ((declared & 1) == 1 && !looksLikeChunkId(file, pos) && looksLikeChunkId(file, pos - 1)) {
                pos--;
            }
        }
        if (format == null) {
            throw AudioErrors.undecodable("WAV fmt chunk missing (it must come before a data chunk of unknown size)");
        }
        if (dataOffset < 0) {
            throw AudioErrors.undecodable("WAV data chunk missing");
        }
        long frames = dataLength / format.blockAlign();
        if (frames > limits.maxSamplesAt(format.sampleRate())) {
            throw AudioErrors.tooLong(limits.maxSeconds());
        }
        if (frames == 0) {
            throw AudioErrors.empty("The WAV data chunk holds no complete sample frames.");
        }
        return new PcmAudio(downMix(file, dataOffset, (int) frames, format), format.sampleRate());
    }

    private static boolean looksLikeChunkId(byte[] file, int pos) {
        if (pos > file.length - CHUNK_HEADER) {
            return false;
        }
        for (int i = pos; i < pos + 4; i++) {
            int c = file[i] & 0xFF;
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static float[] downMix(byte[] file, int offset, int frames, WavFormat format) {
        float[] mono = new float[frames];
        int channels = format.channels();
        int step = format.bytesPerSample();
        int pos = offset;
        for (int frame = 0; frame < frames; frame++) {
            double mean = 0;
            for (int c = 0; c < channels; c++) {
                mean += sample(file, pos, format.encoding()) / channels;
                pos += step;
            }
            if (!Double.isFinite(mean)) {
                throw AudioErrors.nonFinite();
            }
            mono[frame] = (float) Math.max(-1.0, Math.min(1.0, mean));
        }
        return mono;
    }

    private static double sample(byte[] b, int i, WavFormat.SampleEncoding encoding) {
        return switch (encoding) {
            case UNSIGNED_8 -> ((b[i] & 0xFF) - 128) / 128.0;
            case SIGNED_16 -> (short) LittleEndian.u16(b, i) / 32768.0;
            case SIGNED_24 -> ((b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | b[i + 2] << 16) / 8388608.0;
            case SIGNED_32 -> LittleEndian.s32(b, i) / 2147483648.0;
            case FLOAT_32 -> Float.intBitsToFloat(LittleEndian.s32(b, i));
            case FLOAT_64 -> Double.longBitsToDouble(LittleEndian.s64(b, i));
        };
    }
}
