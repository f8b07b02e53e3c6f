package dev.cutover.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (the machine's /usr/bin/redis-server) run as a child process on its own free port, with no
 * persistence, that a test can stop and start again on the same port. Never touches the shared Redis on 6379.
 */
public final class RedisServerProcess implements AutoCloseable {
    private final int port;
    private final Path dir;
    private Process process;

    private RedisServerProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    public static RedisServerProcess start() {
        try {
            RedisServerProcess redis = new RedisServerProcess(Machine.freePort(), Files.createTempDirectory("cutover-redis"));
            redis.startAgain();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean available() {
        return Files.isExecutable(Path.of(binary()));
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public synchronized void startAgain() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            process = new ProcessBuilder(List.of(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitListening(true);
    }

    public synchronized void stop() {
        if (process == null) {
            return;
        }
        signal("-CONT");
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        awaitListening(false);
    }

    /** Freezes the server (SIGSTOP): connections stay open but nothing is answered, like a hung or very slow Redis. */
    public synchronized void pause() {
        signal("-STOP");
    }

    /** Lets a paused server run again (SIGCONT). */
    public synchronized void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        if (process == null) {
            throw new IllegalStateException("redis-server is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " failed for redis-server " + process.pid());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitListening(boolean listening) {
        Eventually.await(Duration.ofSeconds(10), "redis-server on port " + port + (listening ? " listening" : " stopped"),
                () -> isListening() == listening);
    }

    private boolean isListening() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String binary() {
        return System.getenv().getOrDefault("REDIS_SERVER_BIN", "/usr/bin/redis-server");
    }
}
