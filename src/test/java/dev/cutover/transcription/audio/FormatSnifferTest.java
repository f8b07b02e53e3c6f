package dev.cutover.transcription.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FormatSnifferTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "52494646 24000000 57415645, WAV",        // RIFF....WAVE
        "52463634 FFFFFFFF 57415645, WAV",        // RF64....WAVE
        "4F676753 0002, OGG",                     // OggS
        "1A45DFA3 9F4286, MATROSKA",              // EBML header (WebM, Matroska)
        "664C6143 00000022, FLAC",                // fLaC
        "0000001C 66747970 4D344120, MP4",        // ....ftypM4A
        "00000020 66747970 69736F6D, MP4",        // ....ftypisom
        "494433 04000000000000, MP3",             // ID3v2.4 tag
        "FFFB9064, MP3",                          // MPEG-1 layer III frame
        "FFF3A0C4, MP3",                          // MPEG-2 layer III frame
        "FFE3 1844, MP3",                         // MPEG-2.5 layer III frame
        "FFF1 5080 2FFF FC, ADTS_AAC",            // ADTS AAC-LC, 44.1 kHz, MPEG-4
        "FFF9 6080 2FFF FC, ADTS_AAC",            // ADTS AAC-LC, 24 kHz, MPEG-2
    })
    void recognisesEachContainerByItsMagicBytes(String hex, ContainerFormat expected) {
        assertThat(FormatSniffer.sniff(bytes(hex))).contains(expected);
    }

    @ParameterizedTest(name = "{0} is unknown")
    @CsvSource({
        "52494658 24000000 57415645",  // RIFX: big-endian WAV is not supported
        "52494646 24000000 41564920",  // RIFF AVI
        "52494646",                    // RIFF cut short
        "FFF1 5080",                   // ADTS sync cut short: neither MPEG audio (layer 00) nor a whole ADTS header
        "FFF1 7C80 2FFF FC",           // ADTS with sampling-frequency index 15
        "FFEB 9064",                   // reserved MPEG version 01
        "FFFB F064",                   // bitrate index 1111
        "FFFB 9C64",                   // sample rate index 11
        "494433 FF000000000000",       // ID3 with an impossible version
        "3C68746D 6C3E",               // <html>
        "00",
        "4F6767",                      // OggS cut short
    })
    void rejectsEverythingElse(String hex) {
        assertThat(FormatSniffer.sniff(bytes(hex))).isEqualTo(Optional.empty());
    }

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }
}
