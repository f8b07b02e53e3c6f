package dev.cutover.transcription.whisper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestModels;
import dev.cutover.transcription.AudioClip;
import dev.cutover.transcription.TranscribeOptions;
import dev.cutover.transcription.Transcript;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Faults in the process-wide native layer: more engines than whisper.cpp's 64 ggml contexts can hold (8 models with
 * a state each crashed the JVM in a probe), and engines created and freed while others transcribe (the JNI wrapper's
 * unlocked maps). Must not be lost: the process and every transcript.
 */
class ProcessLimitTest {
    @Test
    void enginesComeAndGoWhileAnotherEngineTranscribes() throws Exception {
        try (WhisperPool busy = WhisperPool.open(TestModels.config(TestModels.smallModel(), 2, 8))) {
            ExecutorService clients = Executors.newFixedThreadPool(2);
            try {
                List<Future<Transcript>> results = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    float[] samples = TestModels.noise(1 + i % 3, i);
                    results.add(clients.submit(() -> busy.transcribe(new AudioClip(samples),
                            TranscribeOptions.DEFAULTS)));
                }
                for (int i = 0; i < 10; i++) {
                    try (WhisperPool passing = WhisperPool.open(TestModels.config(TestModels.smallModel(), 1, 0))) {
                        assertThat(passing.isLoaded()).isTrue();
                    }
                }
                for (Future<Transcript> result : results) {
                    assertThat(result.get().text()).isEqualTo(TestModels.SENTENCE);
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void enginesBeyondWhisperCppsContextTableAreRefusedInsteadOfCrashingTheProcess() throws Exception {
        List<WhisperPool> pools = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            for (int i = 0; i < 9; i++) {
                pools.add(WhisperPool.open(TestModels.config(TestModels.smallModel(), 1, 4)));
            }
            List<WhisperPool> loaded = pools.stream().filter(WhisperPool::isLoaded).toList();
            List<WhisperPool> refused = pools.stream().filter(pool -> !pool.isLoaded()).toList();

            assertThat(loaded).hasSizeBetween(1, 7);
            assertThat(refused).isNotEmpty().allSatisfy(pool -> assertThat(pool.notLoadedReason())
                    .hasValueSatisfying(reason -> assertThat(reason).contains("64 ggml contexts")));
            List<Future<Transcript>> results = new ArrayList<>();
            for (WhisperPool pool : loaded) {
                for (int k = 0; k < 2; k++) {
                    float[] samples = TestModels.noise(2, k);
                    results.add(clients.submit(() -> pool.transcribe(new AudioClip(samples),
                            TranscribeOptions.DEFAULTS)));
                }
            }
            for (Future<Transcript> result : results) {
                assertThat(result.get().text()).isEqualTo(TestModels.SENTENCE);
            }
        } finally {
            clients.shutdownNow();
            pools.forEach(WhisperPool::close);
        }
        try (WhisperPool afterwards = WhisperPool.open(TestModels.config(TestModels.smallModel(), 8, 0))) {
            assertThat(afterwards.isLoaded()).as("closing engines gives their contexts back").isTrue();
        }
    }
}
