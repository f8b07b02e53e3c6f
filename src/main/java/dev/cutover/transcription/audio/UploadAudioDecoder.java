package dev.cutover.transcription.audio;

import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthStatus;
import dev.cutover.transcription.AudioClip;
import dev.cutover.transcription.AudioDecoder;
import java.util.Map;

/**
 * Decodes an uploaded file into a validated {@link AudioClip}: the format is sniffed from magic bytes, WAV is
 * decoded in Java, compressed formats (Ogg, WebM/Matroska, MP3, MP4/M4A, ADTS AAC, FLAC) by an ffmpeg child process; the
 * result is down-mixed to mono, resampled to 16 kHz, checked to be non-empty, finite and within the limits, and
 * clamped to [-1, 1]. Every failure is an {@link dev.cutover.http.ApiError} (400/413/415, or 503 when ffmpeg is
 * missing or all its slots are busy).
 *
 * <p>Thread-safe: holds no per-request state; concurrent ffmpeg processes are bounded by a semaphore.
 */
public final class UploadAudioDecoder implements AudioDecoder {
    private final AudioLimits limits;
    private final FfmpegDecoder ffmpeg;

    public UploadAudioDecoder(AudioLimits limits, FfmpegSettings ffmpegSettings) {
        this.limits = limits;
        this.ffmpeg = new FfmpegDecoder(ffmpegSettings, limits);
    }

    /** With {@link FfmpegSettings#defaults()}. */
    public UploadAudioDecoder(AudioLimits limits) {
        this(limits, FfmpegSettings.defaults());
    }

    @Override
    public AudioClip decode(byte[] upload) {
        if (upload == null || upload.length == 0) {
            throw AudioErrors.empty("The upload is empty; send an audio file.");
        }
        if (upload.length > limits.maxUploadBytes()) {
            throw AudioErrors.tooLarge(limits.maxUploadBytes());
        }
        ContainerFormat format = FormatSniffer.sniff(upload).orElseThrow(AudioErrors::unsupportedFormat);
        float[] samples;
        if (format == ContainerFormat.WAV) {
            PcmAudio pcm = WavDecoder.decode(upload, limits);
            samples = SincResampler.resample(pcm.samples(), pcm.sampleRate(), AudioClip.SAMPLE_RATE);
        } else {
            samples = ffmpeg.decode(upload, format);
        }
        return new AudioClip(validated(samples));
    }

    /** Whether compressed formats can be decoded (the ffmpeg binary runs); WAV works either way. */
    public boolean compressedFormatsAvailable() {
        return ffmpeg.isAvailable();
    }

    /** A health part named {@code audio_decoder}: DEGRADED (WAV only) when ffmpeg cannot run. */
    public HealthIndicator health() {
        return new HealthIndicator() {
            @Override
            public String name() {
                return "audio_decoder";
            }

            @Override
            public Report report() {
                boolean ffmpegRuns = ffmpeg.isAvailable();
                return new Report(ffmpegRuns ? HealthStatus.UP : HealthStatus.DEGRADED, Map.of(
                        "compressed_formats", ffmpegRuns,
                        "ffmpeg_running", ffmpeg.processesRunning(),
                        "ffmpeg_max", ffmpeg.maxProcesses()));
            }
        };
    }

    private float[] validated(float[] samples) {
        if (samples.length == 0) {
            throw AudioErrors.empty("The audio decodes to no samples.");
        }
        if (samples.length > limits.maxSamplesAt(AudioClip.SAMPLE_RATE)) {
            throw AudioErrors.tooLong(limits.maxSeconds());
        }
        for (int i = 0; i < samples.length; i++) {
            float s = samples[i];
            if (!Float.isFinite(s)) {
                throw AudioErrors.nonFinite();
            }
            samples[i] = Math.max(-1f, Math.min(1f, s));
        }
        return samples;
    }
}
