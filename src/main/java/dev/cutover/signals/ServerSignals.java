package dev.cutover.signals;

import java.util.Optional;

/**
 * What the service saw of every transcription request, into the signal windows as whisper / server: the caller's
 * mistakes are counted apart (not failures), an OK transcript without words is "empty". Thread-safe (stateless).
 */
public final class ServerSignals implements OutcomeRecorder {
    private final SignalWindows windows;

    public ServerSignals(SignalWindows windows) {
        this.windows = windows;
    }

    @Override
    public void record(TranscriptionOutcome o) {
        SignalKey key = new SignalKey(SignalKey.WHISPER, SignalKey.SERVER, o.browser(), o.language());
        Observation.Outcome outcome = switch (o.kind()) {
            case OK -> o.emptyText() ? Observation.Outcome.EMPTY : Observation.Outcome.OK;
            case CLIENT_ERROR -> Observation.Outcome.CLIENT_ERROR;
            default -> Observation.Outcome.FAILURE;
        };
        long engineMs = o.inference().toMillis();
        windows.record(new Observation(o.at(), key, outcome, o.kind().isServiceFailure() ? o.errorCode() : Optional.empty(),
                o.latency().toMillis(), Math.round(o.audioSeconds() * 1000), engineMs,
                o.kind() == OutcomeKind.OK ? Optional.of(o.cacheHit()) : Optional.empty()));
    }
}
