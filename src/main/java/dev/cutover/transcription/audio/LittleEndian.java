package dev.cutover.transcription.audio;

/** Little-endian reads from a byte array; callers check bounds first. */
final class LittleEndian {
    private LittleEndian() {
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    static long u32(byte[] b, int i) {
        return Integer.toUnsignedLong(s32(b, i));
    }

    static int s32(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | b[i + 3] << 24;
    }

    static long s64(byte[] b, int i) {
        return (s32(b, i) & 0xFFFF_FFFFL) | (long) s32(b, i + 4) << 32;
    }
}
