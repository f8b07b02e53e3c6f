package dev.cutover.transcription;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RenderersTest {
    private static final Transcript TWO_CUES = new Transcript(" Hello there. General Kenobi.",
            List.of(new Segment(0.0, 1.5, " Hello there."), new Segment(1.5, 3725.0456, " General Kenobi.")), "en", 3726);

    @Test
    void srtNumbersCuesFromOneAndWritesHoursMinutesSecondsCommaMillis() {
        assertThat(SrtRenderer.render(TWO_CUES)).isEqualTo("""
                1
                00:00:00,000 --> 00:00:01,500
                Hello there.

                2
                00:00:01,500 --> 01:02:05,046
                General Kenobi.

                """);
    }

    @Test
    void vttStartsWithTheHeaderAndWritesDotMillis() {
        assertThat(VttRenderer.render(TWO_CUES)).isEqualTo("""
                WEBVTT

                00:00:00.000 --> 00:00:01.500
                Hello there.

                00:00:01.500 --> 01:02:05.046
                General Kenobi.

                """);
    }

    @Test
    void verboseJsonNumbersSegmentsAndNamesTheLanguageInWords() {
        VerboseJsonRenderer.VerboseTranscription verbose = VerboseJsonRenderer.render(TWO_CUES, 0.2f);

        assertThat(verbose.task()).isEqualTo("transcribe");
        assertThat(verbose.language()).isEqualTo("english");
        assertThat(verbose.segments()).extracting(VerboseJsonRenderer.VerboseSegment::id).containsExactly(0, 1);
        assertThat(verbose.segments().get(1).seek()).isZero();
        Transcript late = new Transcript("x", List.of(new Segment(61.2, 63, "x")), "en", 63);
        assertThat(VerboseJsonRenderer.render(late, 0f).segments().get(0).seek()).isEqualTo(60 * 100);
        assertThat(verbose.segments().get(0).temperature()).isEqualTo(0.2f, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(verbose.segments().get(0).compressionRatio()).isPositive();
    }

    @Test
    void repetitiveTextCompressesBetterThanVariedText() {
        assertThat(VerboseJsonRenderer.compressionRatio("la ".repeat(100)))
                .isGreaterThan(VerboseJsonRenderer.compressionRatio("The quick brown fox jumps over the lazy dog."));
    }
}
