package dev.cutover.signals;

import java.util.List;

/**
 * Receives every transcription outcome. Implementations must be thread-safe and fast: they are called on the request
 * thread after the answer is known.
 */
public interface OutcomeRecorder {
    void record(TranscriptionOutcome outcome);

    /** Hands every outcome to each recorder in order. */
    static OutcomeRecorder all(List<OutcomeRecorder> recorders) {
        List<OutcomeRecorder> copy = List.copyOf(recorders);
        return outcome -> copy.forEach(recorder -> recorder.record(outcome));
    }
}
