package dev.cutover.testing;

/**
 * The Redis that ordinary cache tests use: the server named by REDIS_URL when set (CI), else one redis-server child
 * process shared by the test JVM. Tests that stop Redis must start their own {@link RedisServerProcess} instead.
 */
public final class TestRedis {
    private static RedisServerProcess shared;

    private TestRedis() {
    }

    public static synchronized String url() {
        String url = System.getenv("REDIS_URL");
        if (url != null && !url.isBlank()) {
            return url;
        }
        if (shared == null) {
            shared = RedisServerProcess.start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "test-redis-stop"));
        }
        return shared.url();
    }
}
