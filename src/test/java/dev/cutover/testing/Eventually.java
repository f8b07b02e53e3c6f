package dev.cutover.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way tests wait for something that happens asynchronously (a snapshot reloaded, a listener reconnected, a
 * cache entry stored, a server listening): ask again every 20 ms until the condition holds, and fail with what was
 * awaited (and the last answer) once the timeout has passed. The condition is always asked at least once, even with
 * a timeout of zero. This waits for a condition, not for time: a test that must let time pass moves its
 * {@link TestClock}, or sleeps and says why.
 */
public final class Eventually {
    static final long POLL_MILLIS = 20;

    private Eventually() {
    }

    /** Waits until {@code condition} is true; an AssertionError naming {@code what} after {@code timeout}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        await(timeout, what, condition::getAsBoolean, Boolean::booleanValue);
    }

    /**
     * Asks {@code probe} until its answer satisfies {@code done} and returns that answer; after {@code timeout}, an
     * AssertionError naming {@code what} and showing the last answer.
     */
    public static <T> T await(Duration timeout, String what, Supplier<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = probe.get();
        while (!done.test(last)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Not within " + timeout + ": " + what + "; last: " + last);
            }
            pause();
            last = probe.get();
        }
        return last;
    }

    /**
     * Runs {@code assertion} (AssertJ or any code that throws AssertionError) until it passes; after {@code timeout},
     * rethrows its last AssertionError. Any other exception ends the wait at once.
     */
    public static void assertEventually(Duration timeout, Assertion assertion) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertion.check();
                return;
            } catch (AssertionError failed) {
                if (System.nanoTime() - deadline > 0) {
                    throw failed;
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            pause();
        }
    }

    /** An assertion that may throw checked exceptions (a JDBC query, an HTTP call). */
    @FunctionalInterface
    public interface Assertion {
        void check() throws Exception;
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting", e);
        }
    }
}
