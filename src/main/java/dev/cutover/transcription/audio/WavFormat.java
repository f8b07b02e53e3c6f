package dev.cutover.transcription.audio;

/**
 * A validated WAV {@code fmt } chunk: how to turn each frame of the data chunk into numbers.
 *
 * @param encoding      how one sample is stored
 * @param channels      interleaved channels per frame, 1..{@link #MAX_CHANNELS}
 * @param sampleRate    frames per second, {@link #MIN_SAMPLE_RATE}..{@link #MAX_SAMPLE_RATE}
 * @param bytesPerSample container size of one sample
 */
record WavFormat(SampleEncoding encoding, int channels, int sampleRate, int bytesPerSample) {
    static final int MAX_CHANNELS = 32;
    static final int MIN_SAMPLE_RATE = 1_000;
    static final int MAX_SAMPLE_RATE = 384_000;

    private static final int TAG_PCM = 0x0001;
    private static final int TAG_FLOAT = 0x0003;
    private static final int TAG_EXTENSIBLE = 0xFFFE;
    // The 14 bytes after the format tag in every KSDATAFORMAT_SUBTYPE_* GUID (…-0000-0010-8000-00AA00389B71).
    private static final byte[] SUBTYPE_GUID_TAIL = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};

    enum SampleEncoding { UNSIGNED_8, SIGNED_16, SIGNED_24, SIGNED_32, FLOAT_32, FLOAT_64 }

    int blockAlign() {
        return channels * bytesPerSample;
    }

    /** Parses and validates a {@code fmt } chunk body; throws {@code audio_undecodable} saying what is wrong. */
    static WavFormat parse(byte[] data, int offset, int length) {
        if (length < 16) {
            throw AudioErrors.undecodable("WAV fmt chunk is " + length + " bytes, at least 16 are needed");
        }
        int tag = LittleEndian.u16(data, offset);
        int channels = LittleEndian.u16(data, offset + 2);
        long sampleRate = LittleEndian.u32(data, offset + 4);
        int blockAlign = LittleEndian.u16(data, offset + 12);
        int bitsPerSample = LittleEndian.u16(data, offset + 14);

        if (tag == TAG_EXTENSIBLE) {
            tag = extensibleSubformat(data, offset, length);
        }
        if (channels < 1 || channels > MAX_CHANNELS) {
            throw AudioErrors.undecodable("WAV declares " + channels + " channels; 1 to " + MAX_CHANNELS
                    + " are supported");
        }
        if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
            throw AudioErrors.undecodable("WAV sample rate " + sampleRate + " Hz is outside "
                    + MIN_SAMPLE_RATE + ".." + MAX_SAMPLE_RATE + " Hz");
        }
        SampleEncoding encoding = encodingOf(tag, bitsPerSample);
        int bytesPerSample = bitsPerSample / 8;
        if (blockAlign != channels * bytesPerSample) {
            throw AudioErrors.undecodable("WAV block align " + blockAlign + " does not match " + channels
                    + " channel(s) of " + bitsPerSample + "-bit samples (expected " + channels * bytesPerSample + ")");
        }
        return new WavFormat(encoding, channels, (int) sampleRate, bytesPerSample);
    }

    private static int extensibleSubformat(byte[] data, int offset, int length) {
        if (length < 40 || LittleEndian.u16(data, offset + 16) < 22) {
            throw AudioErrors.undecodable("WAV WAVE_FORMAT_EXTENSIBLE fmt chunk is too short (" + length
                    + " bytes, 40 needed)");
        }
        for (int i = 0; i < SUBTYPE_GUID_TAIL.length; i++) {
            if (data[offset + 26 + i] != SUBTYPE_GUID_TAIL[i]) {
                throw AudioErrors.undecodable("WAV WAVE_FORMAT_EXTENSIBLE has an unknown sub-format GUID");
            }
        }
        return LittleEndian.u16(data, offset + 24);
    }

    private static SampleEncoding encodingOf(int tag, int bits) {
        if (tag == TAG_PCM) {
            return switch (bits) {
                case 8 -> SampleEncoding.UNSIGNED_8;
                case 16 -> SampleEncoding.SIGNED_16;
                case 24 -> SampleEncoding.SIGNED_24;
                case 32 -> SampleEncoding.SIGNED_32;
                default -> throw AudioErrors.undecodable("WAV PCM with " + bits
                        + " bits per sample is not supported (8, 16, 24 or 32 are)");
            };
        }
        if (tag == TAG_FLOAT) {
            return switch (bits) {
                case 32 -> SampleEncoding.FLOAT_32;
                case 64 -> SampleEncoding.FLOAT_64;
                default -> throw AudioErrors.undecodable("WAV float with " + bits
                        + " bits per sample is not supported (32 or 64 are)");
            };
        }
        throw AudioErrors.undecodable("unsupported WAV encoding " + tag + " (" + encodingName(tag)
                + "); convert to PCM or upload the compressed file itself");
    }

    private static String encodingName(int tag) {
        return switch (tag) {
            case 0x0002 -> "Microsoft ADPCM";
            case 0x0006 -> "A-law";
            case 0x0007 -> "mu-law";
            case 0x0011 -> "IMA ADPCM";
            case 0x0031 -> "GSM 6.10";
            case 0x0050 -> "MPEG";
            case 0x0055 -> "MPEG";
            case 0x0161, 0x0162, 0x0163 -> "Windows Media Audio";
            case 0x1610 -> "AAC";
            case 0xF1AC -> "FLAC";
            default -> "unknown";
        };
    }
}
