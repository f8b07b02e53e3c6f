package dev.cutover.transcription.audio;

import dev.cutover.http.ApiError;
import dev.cutover.transcription.AudioClip;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes compressed audio with an ffmpeg child process (no shell, explicit arguments, demuxer forced from the
 * sniffed format, only the pipe/file protocols allowed) into 16 kHz mono float samples.
 *
 * <p>Thread-safe: each call runs its own process with its own stdin-writer and stderr-drain threads; a semaphore
 * bounds how many processes run at once. Reading stops, and the process is killed, as soon as the output passes the
 * length limit or the timeout expires, so memory and time stay bounded whatever the upload claims.
 */
final class FfmpegDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FfmpegDecoder.class);
    private static final int STDERR_KEEP_BYTES = 4096;
    private static final int READ_CHUNK = 64 * 1024;
    private static final Set<String> CHILD_ENVIRONMENT = Set.of("PATH", "LANG", "LC_ALL", "TMPDIR");

    private final FfmpegSettings settings;
    private final AudioLimits limits;
    private final Semaphore slots;
    private volatile Boolean available;

    FfmpegDecoder(FfmpegSettings settings, AudioLimits limits) {
        this.settings = settings;
        this.limits = limits;
        this.slots = new Semaphore(settings.maxProcesses(), true);
    }

    float[] decode(byte[] upload, ContainerFormat format) {
        acquireSlot();
        try {
            return decodeInSlot(upload, format);
        } finally {
            slots.release();
        }
    }

    int maxProcesses() {
        return settings.maxProcesses();
    }

    int processesRunning() {
        return settings.maxProcesses() - slots.availablePermits();
    }

    boolean isAvailable() {
        Boolean known = available;
        if (known == null) {
            known = probe();
            available = known;
        }
        return known;
    }

    private boolean probe() {
        try {
            ProcessBuilder builder = new ProcessBuilder(settings.binary(), "-hide_banner", "-version")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().keySet().retainAll(CHILD_ENVIRONMENT);
            Process process = builder.start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void acquireSlot() {
        long retryAfter = Math.max(1, settings.queueWait().toSeconds());
        try {
            if (slots.tryAcquire(settings.queueWait().toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw ApiError.unavailable("busy", "All " + settings.maxProcesses()
                + " audio decoder slots are busy; retry shortly.", retryAfter);
    }

    private float[] decodeInSlot(byte[] upload, ContainerFormat format) {
        Path staged = format.needsSeekableInput() ? stage(upload) : null;
        try {
            Process process = start(command(format, staged));
            try {
                return collect(process, upload, format, staged);
            } finally {
                kill(process);
            }
        } finally {
            deleteQuietly(staged);
        }
    }

    private float[] collect(Process process, byte[] upload, ContainerFormat format, Path staged) {
        AtomicBoolean timedOut = new AtomicBoolean();
        process.onExit().orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> {
            timedOut.set(true);
            kill(process);
            return null;
        });
        try {
            Thread writer = staged == null ? feed(process, upload) : null;
            if (writer == null) {
                closeQuietly(process.getOutputStream());
            }
            StderrTail stderr = StderrTail.drain(process.getErrorStream());
            float[] samples = readSamples(process);
            if (samples == null) {
                throw AudioErrors.tooLong(limits.maxSeconds());
            }
            boolean exited = process.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (writer != null) {
                writer.join(1000);
            }
            if (timedOut.get() || !exited) {
                throw AudioErrors.undecodable("decoding took longer than " + settings.timeout().toMillis()
                        + " ms; the file may be corrupt");
            }
            if (process.exitValue() != 0) {
                throw AudioErrors.undecodable("ffmpeg could not read it as " + format.name().toLowerCase()
                        + " (" + stderr.lastLine(staged) + ")");
            }
            return samples;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("busy", "Decoding was interrupted; retry shortly.", 1);
        }
    }

    private List<String> command(ContainerFormat format, Path staged) {
        List<String> command = new ArrayList<>(List.of(settings.binary(), "-hide_banner", "-nostats",
                "-loglevel", "error",
                "-protocol_whitelist", staged == null ? "pipe" : "file",
                "-f", format.ffmpegDemuxer(),
                "-i", staged == null ? "pipe:0" : "file:" + staged.toAbsolutePath()));
        // rematrix_maxval 1 makes the mono mix an average, as for WAV, instead of a louder, clipping sum.
        command.addAll(List.of("-map", "0:a:0", "-vn", "-sn", "-dn", "-rematrix_maxval", "1.0",
                "-ac", "1", "-ar", Integer.toString(AudioClip.SAMPLE_RATE), "-f", "f32le", "pipe:1"));
        return command;
    }

    private Process start(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        // The service's environment holds database URLs and API keys; a decoder of untrusted files needs none.
        builder.environment().keySet().retainAll(CHILD_ENVIRONMENT);
        try {
            Process process = builder.start();
            available = true;
            return process;
        } catch (IOException e) {
            available = false;
            throw ApiError.unavailable("decoder_unavailable", "Compressed audio needs ffmpeg, which could not be "
                    + "started here ('" + settings.binary() + "'). Upload WAV (PCM) instead, or install ffmpeg.");
        }
    }

    /** Reads f32le samples until EOF; null when the audio runs past the length limit. */
    private float[] readSamples(Process process) {
        long maxSamples = limits.maxSamplesAt(AudioClip.SAMPLE_RATE);
        float[] samples = new float[AudioClip.SAMPLE_RATE * 30];
        int count = 0;
        byte[] buffer = new byte[READ_CHUNK];
        int carried = 0;
        try (InputStream out = process.getInputStream()) {
            int read;
            while ((read = out.read(buffer, carried, buffer.length - carried)) != -1) {
                int bytes = carried + read;
                int whole = bytes / 4;
                if (count + (long) whole > maxSamples) {
                    return null;
                }
                if (count + whole > samples.length) {
                    samples = Arrays.copyOf(samples, (int) Math.min(maxSamples, Math.max(count + whole,
                            2L * samples.length)));
                }
                for (int i = 0; i < whole; i++) {
                    samples[count++] = Float.intBitsToFloat(LittleEndian.s32(buffer, i * 4));
                }
                carried = bytes - whole * 4;
                System.arraycopy(buffer, whole * 4, buffer, 0, carried);
            }
        } catch (IOException e) {
            // The process was killed (timeout) or closed its output; what was read so far is judged below.
        }
        return Arrays.copyOf(samples, count);
    }

    private static Thread feed(Process process, byte[] upload) {
        Thread writer = new Thread(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(upload);
            } catch (IOException e) {
                // ffmpeg stopped reading (bad input or killed); its exit status tells what happened.
            }
        }, "ffmpeg-stdin");
        writer.setDaemon(true);
        writer.start();
        return writer;
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // nothing was written, nothing to lose
        }
    }

    private static Path stage(byte[] upload) {
        try {
            Path file = Files.createTempFile("cutover-audio-", ".upload",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, upload);
            return file;
        } catch (IOException e) {
            throw ApiError.unavailable("decoder_unavailable", "Could not stage the upload for decoding; retry.", 1);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Could not delete staged upload {}", file, e);
        }
    }

    /** Keeps the last few KiB of ffmpeg's stderr so the error message can say what ffmpeg disliked. */
    private static final class StderrTail {
        private final byte[] tail = new byte[STDERR_KEEP_BYTES];
        private int length;
        private final Thread thread;

        private StderrTail(InputStream stderr) {
            thread = new Thread(() -> drainFrom(stderr), "ffmpeg-stderr");
            thread.setDaemon(true);
        }

        static StderrTail drain(InputStream stderr) {
            StderrTail tail = new StderrTail(stderr);
            tail.thread.start();
            return tail;
        }

        private void drainFrom(InputStream stderr) {
            byte[] buffer = new byte[1024];
            try (stderr) {
                int read;
                while ((read = stderr.read(buffer)) != -1) {
                    append(buffer, read);
                }
            } catch (IOException e) {
                // process gone
            }
        }

        private synchronized void append(byte[] buffer, int read) {
            if (read >= tail.length) {
                System.arraycopy(buffer, read - tail.length, tail, 0, tail.length);
                length = tail.length;
                return;
            }
            int keep = Math.min(length, tail.length - read);
            System.arraycopy(tail, length - keep, tail, 0, keep);
            System.arraycopy(buffer, 0, tail, keep, read);
            length = keep + read;
        }

        String lastLine(Path staged) throws InterruptedException {
            thread.join(1000);
            String text;
            synchronized (this) {
                text = new String(tail, 0, length, StandardCharsets.UTF_8);
            }
            if (staged != null) {
                text = text.replace("file:" + staged.toAbsolutePath(), "input").replace(staged.toString(), "input");
            }
            String last = text.lines().map(String::strip).filter(l -> !l.isEmpty())
                    .reduce((a, b) -> b).orElse("no error output");
            return last.length() > 300 ? last.substring(0, 300) + "…" : last;
        }
    }
}
