package dev.cutover.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the application logged, for tests that must prove a client's mistake leaves no ERROR line (or stack trace) in
 * the log. slf4j-simple writes to whatever {@code System.err} is at the moment of each call, so a tee installed once
 * sees every line while still printing it. Thread-safe: lines are appended under a lock.
 */
public final class LogCapture {
    private static final List<String> LINES = new ArrayList<>();
    private static boolean installed;

    private LogCapture() {
    }

    /** A position in the log; {@link #errorsSince} reads what came after it. */
    public static synchronized int mark() {
        install();
        return LINES.size();
    }

    /** Every line written to standard error since {@code mark}. */
    public static synchronized List<String> linesSince(int mark) {
        return new ArrayList<>(LINES.subList(Math.min(mark, LINES.size()), LINES.size()));
    }

    /** Lines logged at ERROR level, or that look like a stack trace, since {@code mark}. */
    public static synchronized List<String> errorsSince(int mark) {
        List<String> errors = new ArrayList<>();
        for (String line : LINES.subList(Math.min(mark, LINES.size()), LINES.size())) {
            if (line.contains(" ERROR ") || line.startsWith("\tat ") || line.contains("Exception:")) {
                errors.add(line);
            }
        }
        return errors;
    }

    private static void install() {
        if (installed) {
            return;
        }
        installed = true;
        PrintStream original = System.err;
        System.setErr(new PrintStream(new LineTee(original), true, StandardCharsets.UTF_8));
    }

    private static synchronized void add(String line) {
        LINES.add(line);
    }

    private static final class LineTee extends OutputStream {
        private final PrintStream original;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineTee(PrintStream original) {
            this.original = original;
        }

        @Override
        public synchronized void write(int b) {
            original.write(b);
            collect(b);
        }

        private void collect(int b) {
            if (b == '\n') {
                add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                collect(b[i]);
            }
        }

        @Override
        public void flush() {
            original.flush();
        }
    }
}
