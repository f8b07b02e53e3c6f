package dev.cutover.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The pinned Node projects under src/test/node that drive official client libraries against the app. Installs one
 * with {@code npm ci} (from its package-lock.json) the first time a test needs it, so {@code mvn test} works on a
 * fresh machine that has Node and npm.
 */
public final class NodePackages {
    public static final Path ROOT = Path.of("src", "test", "node");

    private NodePackages() {
    }

    /** Returns the project's directory, after running {@code npm ci} there unless {@code module} is installed. */
    public static synchronized Path installed(String project, String module) {
        Path dir = ROOT.resolve(project);
        if (Files.isDirectory(dir.resolve("node_modules").resolve(module))) {
            return dir;
        }
        Path log = Path.of("target", project + "-npm-ci.log");
        try {
            Files.createDirectories(log.getParent());
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new AssertionError("npm ci in " + dir + " failed; see " + log);
            }
        } catch (IOException e) {
            throw new AssertionError("npm is needed to install " + dir + " (apt-get install nodejs npm): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while installing " + dir, e);
        }
        return dir;
    }
}
