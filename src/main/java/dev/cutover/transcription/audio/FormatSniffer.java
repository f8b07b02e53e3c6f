package dev.cutover.transcription.audio;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Recognises a container from its first bytes only; file names and content types are never trusted. */
final class FormatSniffer {
    private FormatSniffer() {
    }

    static Optional<ContainerFormat> sniff(byte[] data) {
        if ((startsWith(data, 0, "RIFF") || startsWith(data, 0, "RF64")) && startsWith(data, 8, "WAVE")) {
            return Optional.of(ContainerFormat.WAV);
        }
        if (startsWith(data, 0, "OggS")) {
            return Optional.of(ContainerFormat.OGG);
        }
        if (startsWith(data, 0, "fLaC")) {
            return Optional.of(ContainerFormat.FLAC);
        }
        if (data.length >= 4 && (data[0] & 0xFF) == 0x1A && (data[1] & 0xFF) == 0x45
                && (data[2] & 0xFF) == 0xDF && (data[3] & 0xFF) == 0xA3) {
            return Optional.of(ContainerFormat.MATROSKA);
        }
        if (startsWith(data, 4, "ftyp")) {
            return Optional.of(ContainerFormat.MP4);
        }
        if (isId3Tag(data) || isMpegAudioFrameHeader(data)) {
            return Optional.of(ContainerFormat.MP3);
        }
        if (isAdtsHeader(data)) {
            return Optional.of(ContainerFormat.ADTS_AAC);
        }
        return Optional.empty();
    }

    private static boolean isId3Tag(byte[] data) {
        // "ID3", major version 2..4, minor version below 0xFF
        return startsWith(data, 0, "ID3") && data.length >= 10
                && data[3] >= 2 && data[3] <= 4 && (data[4] & 0xFF) != 0xFF;
    }

    /** An MPEG-1/2/2.5 layer I-III frame header: 11-bit sync, no reserved version/layer/bitrate/rate values. */
    static boolean isMpegAudioFrameHeader(byte[] data) {
        if (data.length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xE0) != 0xE0) {
            return false;
        }
        int version = (data[1] >> 3) & 0b11;
        int layer = (data[1] >> 1) & 0b11;
        int bitrateIndex = (data[2] >> 4) & 0b1111;
        int sampleRateIndex = (data[2] >> 2) & 0b11;
        return version != 0b01 && layer != 0b00 && bitrateIndex != 0b1111 && sampleRateIndex != 0b11;
    }

    /** A raw AAC (ADTS) frame header: 12-bit sync, layer 00, a defined sampling-frequency index. */
    static boolean isAdtsHeader(byte[] data) {
        if (data.length < 7 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xF6) != 0xF0) {
            return false;
        }
        int sampleRateIndex = (data[2] >> 2) & 0b1111;
        return sampleRateIndex < 13;
    }

    private static boolean startsWith(byte[] data, int offset, String ascii) {
        byte[] expected = ascii.getBytes(StandardCharsets.US_ASCII);
        if (data.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (data[offset + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
