package dev.cutover.transcription.whisper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.http.ApiError;
import dev.cutover.testing.TestModels;
import dev.cutover.transcription.AudioClip;
import dev.cutover.transcription.Segment;
import dev.cutover.transcription.TranscribeOptions;
import dev.cutover.transcription.Transcript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WhisperPoolTest {
    private static WhisperPool pool;

    @BeforeAll
    static void loadTheGeneratedModel() {
        pool = WhisperPool.open(TestModels.config(TestModels.smallModel(), 1, 4));
        assertThat(pool.notLoadedReason()).isEmpty();
    }

    @AfterAll
    static void freeIt() {
        pool.close();
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.0, 5.0, 0.5})
    void noiseOfAnyLengthIsTranscribedAsTheScriptedSentence(double seconds) {
        Transcript transcript = pool.transcribe(new AudioClip(TestModels.noise(seconds, 7)),
                TranscribeOptions.DEFAULTS);

        assertThat(transcript.text()).isEqualTo(TestModels.SENTENCE);
        assertThat(transcript.language()).isEqualTo("en");
        assertThat(transcript.durationSec()).isEqualTo(seconds);
        assertSegmentsLieWithin(transcript, seconds);
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.0, 5.0, 0.5})
    void sineTonesAreTranscribedAsTheScriptedSentence(double seconds) {
        Transcript transcript = pool.transcribe(new AudioClip(TestModels.sine(seconds, 440)),
                TranscribeOptions.DEFAULTS);

        assertThat(transcript.text()).isEqualTo(TestModels.SENTENCE);
        assertSegmentsLieWithin(transcript, seconds);
    }

    @Test
    void aClipLongerThanOneWindowGetsOneSegmentPerWindow() {
        Transcript transcript = pool.transcribe(new AudioClip(TestModels.noise(45, 3)), TranscribeOptions.DEFAULTS);

        assertThat(transcript.segments()).extracting(Segment::text)
                .containsExactly(TestModels.SENTENCE, TestModels.SENTENCE);
        assertThat(transcript.segments().get(1).start()).isEqualTo(30.0);
        assertSegmentsLieWithin(transcript, 45);
    }

    @Test
    void eachRequestGetsItsOwnDurationAndSegmentBounds() {
        Transcript longer = pool.transcribe(new AudioClip(TestModels.noise(5, 1)), TranscribeOptions.DEFAULTS);
        Transcript shorter = pool.transcribe(new AudioClip(TestModels.sine(1.5, 220)), TranscribeOptions.DEFAULTS);

        assertThat(longer.durationSec()).isEqualTo(5.0);
        assertThat(longer.segments()).last().extracting(Segment::end).isEqualTo(5.0);
        assertThat(shorter.durationSec()).isEqualTo(1.5);
        assertThat(shorter.segments()).last().extracting(Segment::end).isEqualTo(1.5);
    }

    @Test
    void badAudioIsRefusedBeforeNativeCode() {
        float[] withNan = TestModels.noise(2, 1);
        withNan[100] = Float.NaN;
        float[] withInfinity = TestModels.noise(2, 1);
        withInfinity[5] = Float.NEGATIVE_INFINITY;

        assertApiError(() -> pool.transcribe(new AudioClip(withNan), TranscribeOptions.DEFAULTS), 400,
                "audio_not_finite");
        assertApiError(() -> pool.transcribe(new AudioClip(withInfinity), TranscribeOptions.DEFAULTS), 400,
                "audio_not_finite");
        assertApiError(() -> pool.transcribe(new AudioClip(new float[0]), TranscribeOptions.DEFAULTS), 400,
                "audio_empty");
        assertApiError(() -> pool.transcribe(new AudioClip(null), TranscribeOptions.DEFAULTS), 400, "audio_empty");
        assertThat(pool.transcribe(new AudioClip(TestModels.noise(1, 1)), TranscribeOptions.DEFAULTS).text())
                .isEqualTo(TestModels.SENTENCE);
    }

    @Test
    void anEnglishOnlyModelRefusesOtherLanguagesAndUnknownCodes() {
        TranscribeOptions german = new TranscribeOptions(Optional.of("de"), Optional.empty(), 0f);
        TranscribeOptions english = new TranscribeOptions(Optional.of("EN"), Optional.empty(), 0f);

        assertApiError(() -> pool.transcribe(new AudioClip(TestModels.noise(1, 1)), german), 400,
                "unsupported_language");
        assertThat(pool.transcribe(new AudioClip(TestModels.noise(1, 1)), english).language()).isEqualTo("en");
    }

    @Test
    void outOfRangeTemperatureAndHugePromptsAreRefused() {
        AudioClip clip = new AudioClip(TestModels.noise(1, 1));
        assertApiError(() -> pool.transcribe(clip, new TranscribeOptions(Optional.empty(), Optional.empty(),
                Float.NaN)), 400, "invalid_temperature");
        assertApiError(() -> pool.transcribe(clip, new TranscribeOptions(Optional.empty(),
                Optional.of("x".repeat(5000)), 0f)), 400, "prompt_too_long");
    }

    @Test
    void aPromptIsAcceptedEvenWithWordsTheVocabularyLacks() {
        Transcript transcript = pool.transcribe(new AudioClip(TestModels.noise(2, 1)),
                new TranscribeOptions(Optional.empty(), Optional.of("zebra 42 ünïcödé ✓"), 0f));

        assertThat(transcript.durationSec()).isEqualTo(2.0);
        assertSegmentsLieWithin(transcript, 2.0);
    }

    @Test
    void twoWorkersServeConcurrentRequestsWithoutMixingResults() throws Exception {
        try (WhisperPool two = WhisperPool.open(TestModels.config(TestModels.smallModel(), 2, 32))) {
            ExecutorService clients = Executors.newFixedThreadPool(6);
            try {
                List<Future<Transcript>> results = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    double seconds = 1 + (i % 6) * 0.75;
                    float[] samples = i % 2 == 0 ? TestModels.noise(seconds, i) : TestModels.sine(seconds, 200 + i);
                    results.add(clients.submit(() -> two.transcribe(new AudioClip(samples),
                            TranscribeOptions.DEFAULTS)));
                }
                for (int i = 0; i < results.size(); i++) {
                    Transcript transcript = results.get(i).get();
                    double seconds = 1 + (i % 6) * 0.75;
                    assertThat(transcript.text()).isEqualTo(TestModels.SENTENCE);
                    assertThat(transcript.durationSec()).isEqualTo(seconds);
                    assertThat(transcript.segments()).last().extracting(Segment::end).isEqualTo(seconds);
                }
            } finally {
                clients.shutdownNow();
            }
            assertThat(two.busyWorkers()).isZero();
            assertThat(two.queueDepth()).isZero();
        }
    }

    @Test
    void beyondWorkersPlusQueueRequestsAreTurnedAwayWithRetryAfter() throws Exception {
        try (WhisperPool narrow = WhisperPool.open(TestModels.config(TestModels.smallModel(), 1, 1))) {
            ExecutorService clients = Executors.newFixedThreadPool(6);
            try {
                List<float[]> clips = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    clips.add(TestModels.noise(29, i));
                }
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Transcript>> results = new ArrayList<>();
                for (float[] samples : clips) {
                    results.add(clients.submit(() -> {
                        start.await();
                        return narrow.transcribe(new AudioClip(samples), TranscribeOptions.DEFAULTS);
                    }));
                }
                start.countDown();
                int completed = 0;
                int refused = 0;
                for (Future<Transcript> result : results) {
                    try {
                        assertThat(result.get().text()).isEqualTo(TestModels.SENTENCE);
                        completed++;
                    } catch (ExecutionException e) {
                        ApiError error = (ApiError) e.getCause();
                        assertThat(error.status()).isEqualTo(503);
                        assertThat(error.code()).isEqualTo("overloaded");
                        assertThat(error.headers()).containsKey("Retry-After");
                        assertThat(Long.parseLong(error.headers().get("Retry-After"))).isPositive();
                        refused++;
                    }
                }
                assertThat(completed).isBetween(1, 5);
                assertThat(refused).isEqualTo(6 - completed).isPositive();
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void aRequestThatWaitsLongerThanTheTimeoutForAWorkerIsTurnedAway() throws Exception {
        WhisperConfig impatient = new WhisperConfig(TestModels.smallModel(), Optional.empty(), 1, 1, 10,
                Duration.ofMillis(1), AudioCtxMode.FULL, Path.of("target", "whisper-native"));
        try (WhisperPool pool = WhisperPool.open(impatient)) {
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Transcript>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    float[] samples = TestModels.noise(29, i);
                    results.add(clients.submit(() -> {
                        start.await();
                        return pool.transcribe(new AudioClip(samples), TranscribeOptions.DEFAULTS);
                    }));
                }
                start.countDown();
                List<ApiError> timedOut = new ArrayList<>();
                for (Future<Transcript> result : results) {
                    try {
                        result.get();
                    } catch (ExecutionException e) {
                        timedOut.add((ApiError) e.getCause());
                    }
                }
                assertThat(timedOut).isNotEmpty().allSatisfy(error -> {
                    assertThat(error.status()).isEqualTo(503);
                    assertThat(error.getMessage()).contains("WHISPER_TIMEOUT");
                    assertThat(error.headers()).containsKey("Retry-After");
                });
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void moreOpenMpThreadsThanCoresAreFlaggedAtStartUp() {
        WhisperConfig twoByTwo = new WhisperConfig(Path.of("target", "no-such-model.bin"), Optional.empty(), 2, 2, 0,
                Duration.ofSeconds(1), AudioCtxMode.AUTO, Path.of("target", "whisper-native"));
        try (WhisperPool unloaded = WhisperPool.open(twoByTwo)) {
            assertThat(unloaded.warnIfOversubscribed(2)).isTrue();
            assertThat(unloaded.warnIfOversubscribed(3)).isTrue();
            assertThat(unloaded.warnIfOversubscribed(4)).isFalse();
        }
        assertThat(pool.warnIfOversubscribed(1)).isFalse();
    }

    @Test
    void aClosedPoolAnswersModelNotLoaded() {
        WhisperPool closing = WhisperPool.open(TestModels.config(TestModels.smallModel(), 1, 0));
        closing.close();

        assertThat(closing.isLoaded()).isFalse();
        assertApiError(() -> closing.transcribe(new AudioClip(TestModels.noise(1, 1)), TranscribeOptions.DEFAULTS),
                503, "model_not_loaded");
    }

    static void assertSegmentsLieWithin(Transcript transcript, double seconds) {
        assertThat(transcript.segments()).isNotEmpty();
        for (Segment segment : transcript.segments()) {
            assertThat(segment.start()).isBetween(0.0, seconds);
            assertThat(segment.end()).isBetween(segment.start(), seconds);
        }
    }

    static void assertApiError(Runnable call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiError.class, error -> {
            assertThat(error.status()).isEqualTo(status);
            assertThat(error.code()).isEqualTo(code);
        });
    }
}
