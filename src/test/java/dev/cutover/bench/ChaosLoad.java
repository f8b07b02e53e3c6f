package dev.cutover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestAudio;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The traffic of the chaos run (bench/chaos.sh), sent through a {@link Balancer} over the instances for
 * {@code --seconds}: open-loop, at fixed rates, as browsers would send it whatever the fleet's state:
 * <ul>
 *   <li>assignment: {@code GET /api/v1/assignment?sessionId=…} over 20 000 sessions ({@code --assign-rate}/s);</li>
 *   <li>client events: {@code POST /api/v1/events} batches ({@code --event-rate}/s) of exposures (once per session,
 *       provider and reason as assigned) and attempts (healthy rates: whisper 0.3 % errors, webspeech 0.5 %), plus
 *       one whisper attempt for every transcription sent, with its real outcome as the browser saw it (a failed
 *       transcription is a fallback to webspeech, counted against whisper), each batch with its own batchId;</li>
 *   <li>transcription: {@code POST /transcribe} with the API key, 3 s noise clips: {@code --cached-rate}/s from a set
 *       of 4 repeated clips (cache hits after their first time) and {@code --uncached-rate}/s of clips never sent
 *       before (cache misses, whisper.cpp runs).</li>
 * </ul>
 * A tick whose kind already has its maximum of requests in flight is not sent and counted as skipped (the driver,
 * not the service, is then the limit). Every request is written to {@code OUT/requests.csv} (start and end epoch ms,
 * endpoint, instance, status or I/O error, retried, first instance, events accepted, cached); the balancer's health
 * changes to {@code OUT/health.csv}. {@link ChaosReport} reads them.
 * <pre>
 * java -cp "$TEST_CLASSPATH" dev.cutover.bench.ChaosLoad --instances a=http://127.0.0.1:P1,b=http://127.0.0.1:P2 \
 *   --api-key KEY --out DIR [--seconds 90] [--assign-rate 40] [--event-rate 5] [--cached-rate 2] [--uncached-rate 0.5]
 * </pre>
 */
public final class ChaosLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SESSIONS = 20_000;
    private static final int CACHED_CLIPS = 4;
    private static final double CLIP_SECONDS = 3;
    private static final Duration ASSIGN_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration EVENTS_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration TRANSCRIBE_TIMEOUT = Duration.ofSeconds(20);

    private final Balancer balancer;
    private final String apiKey;
    private final PrintWriter requests;
    private final Map<String, String[]> assigned = new ConcurrentHashMap<>();
    private final Map<String, Boolean> exposed = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<ObjectNode> pendingEvents = new ConcurrentLinkedQueue<>();
    private final List<byte[]> cachedClips = new ArrayList<>();
    private final long uncachedSeedBase = System.nanoTime();
    private final AtomicLong uncachedSeed = new AtomicLong();
    private final Map<String, AtomicInteger> skipped = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();

    private ChaosLoad(Balancer balancer, String apiKey, PrintWriter requests) {
        this.balancer = balancer;
        this.apiKey = apiKey;
        this.requests = requests;
        for (int i = 0; i < CACHED_CLIPS; i++) {
            cachedClips.add(clip(1_000 + i));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Map<String, URI> instances = new LinkedHashMap<>();
        for (String pair : options.getOrDefault("instances", "").split(",")) {
            String[] nameAndUrl = pair.split("=", 2);
            if (nameAndUrl.length == 2) {
                instances.put(nameAndUrl[0], URI.create(nameAndUrl[1]));
            }
        }
        if (instances.isEmpty() || !options.containsKey("out")) {
            System.err.println("usage: ChaosLoad --instances a=URL,b=URL --api-key KEY --out DIR [--seconds 90] "
                    + "[--assign-rate 40] [--event-rate 5] [--cached-rate 2] [--uncached-rate 0.5]");
            System.exit(2);
        }
        Path out = Path.of(options.get("out"));
        Files.createDirectories(out);
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "90"));
        try (PrintWriter requests = new PrintWriter(Files.newBufferedWriter(out.resolve("requests.csv")));
             PrintWriter health = new PrintWriter(Files.newBufferedWriter(out.resolve("health.csv")));
             Balancer balancer = new Balancer(instances, health)) {
            requests.println("start_ms,end_ms,endpoint,instance,status,retried,first_instance,accepted,cached,fail_open");
            health.println("at_ms,instance,change,why");
            balancer.start();
            ChaosLoad load = new ChaosLoad(balancer, options.getOrDefault("api-key", ""), requests);
            load.run(Duration.ofMillis(Math.round(seconds * 1000)),
                    Double.parseDouble(options.getOrDefault("assign-rate", "40")),
                    Double.parseDouble(options.getOrDefault("event-rate", "5")),
                    Double.parseDouble(options.getOrDefault("cached-rate", "2")),
                    Double.parseDouble(options.getOrDefault("uncached-rate", "0.5")));
        }
    }

    private void run(Duration duration, double assignRate, double eventRate, double cachedRate, double uncachedRate)
            throws InterruptedException {
        ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2);
        ExecutorService workers = Executors.newCachedThreadPool();
        // At most this many requests of a kind in flight: beyond, the tick is skipped (and counted).
        Semaphore assignSlots = new Semaphore(32);
        Semaphore eventSlots = new Semaphore(8);
        Semaphore transcribeSlots = new Semaphore(6);
        long started = System.currentTimeMillis();
        every(ticks, workers, assignRate, assignSlots, "assignment", this::assign);
        every(ticks, workers, eventRate, eventSlots, "events", this::sendEvents);
        every(ticks, workers, cachedRate, transcribeSlots, "transcribe_cached",
                () -> transcribe(cachedClips.get(ThreadLocalRandom.current().nextInt(CACHED_CLIPS)), "cached"));
        every(ticks, workers, uncachedRate, transcribeSlots, "transcribe_uncached",
                () -> transcribe(clip(uncachedSeedBase + uncachedSeed.incrementAndGet()), "uncached"));
        TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        ticks.shutdownNow();
        workers.shutdown();
        boolean drained = workers.awaitTermination(30, TimeUnit.SECONDS);
        // The whisper attempts still waiting to be reported go out in a last batch (or batches).
        while (!pendingEvents.isEmpty()) {
            sendEvents();
        }
        requests.flush();
        System.out.printf("load: %d requests in %.1f s%s; skipped ticks (kind at its in-flight limit): %s%n",
                sent.get(), (System.currentTimeMillis() - started) / 1000.0,
                drained ? "" : " (some still in flight after 30 s)", skipped.isEmpty() ? "none" : skipped);
    }

    private interface Task {
        void run() throws InterruptedException;
    }

    private void every(ScheduledExecutorService ticks, ExecutorService workers, double perSecond, Semaphore slots,
                       String kind, Task task) {
        if (perSecond <= 0) {
            return;
        }
        long periodMicros = Math.max(1, Math.round(1_000_000 / perSecond));
        ticks.scheduleAtFixedRate(() -> {
            if (!slots.tryAcquire()) {
                skipped.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                return;
            }
            workers.execute(() -> {
                try {
                    task.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    System.err.println("load: " + kind + " failed in the driver: " + e);
                } finally {
                    slots.release();
                }
            });
        }, ThreadLocalRandom.current().nextLong(periodMicros), periodMicros, TimeUnit.MICROSECONDS);
    }

    private void assign() throws InterruptedException {
        String session = "chaos-s-" + ThreadLocalRandom.current().nextInt(SESSIONS);
        long start = System.currentTimeMillis();
        Balancer.Outcome outcome = balancer.send(base -> HttpRequest.newBuilder(
                base.resolve("/api/v1/assignment?sessionId=" + session)).timeout(ASSIGN_TIMEOUT).GET().build(), true);
        if (outcome.ok()) {
            try {
                JsonNode body = JSON.readTree(outcome.body());
                assigned.put(session, new String[] {body.path("provider").asText(), body.path("reason").asText()});
            } catch (IOException e) {
                System.err.println("load: assignment answered 2xx with a body that is not JSON: " + outcome.body());
            }
        }
        record("assignment", start, outcome, 0, "");
    }

    /** One batch: the whisper attempts the transcriptions produced, then exposures and attempts of assigned sessions. */
    private void sendEvents() throws InterruptedException {
        ArrayNode events = JSON.createArrayNode();
        ObjectNode pending;
        while (events.size() < 40 && (pending = pendingEvents.poll()) != null) {
            events.add(pending);
        }
        Random random = ThreadLocalRandom.current();
        List<String> sessions = new ArrayList<>(assigned.keySet());
        for (int i = 0; i < 12 && !sessions.isEmpty(); i++) {
            String session = sessions.get(random.nextInt(sessions.size()));
            String[] providerAndReason = assigned.get(session);
            ObjectNode event = events.addObject().put("sessionId", session).put("provider", providerAndReason[0])
                    .put("browser", "chrome").put("language", "en");
            if (exposed.putIfAbsent(session, Boolean.TRUE) == null) {
                event.put("type", "exposure").put("reason", providerAndReason[1]);
            } else {
                boolean whisper = providerAndReason[0].equals("whisper");
                boolean failed = random.nextDouble() < (whisper ? 0.003 : 0.005);
                long latency = Math.min(60_000, Math.round(Math.exp(Math.log(whisper ? 700 : 900)
                        + 0.5 * random.nextGaussian())));
                event.put("type", "attempt").put("outcome", failed ? "error" : "ok").put("latencyMs", latency)
                        .put("audioMs", 3000);
                if (failed) {
                    event.put("errorCode", whisper ? "network" : "no-speech-service");
                }
            }
        }
        if (events.isEmpty()) {
            return;
        }
        ObjectNode batch = JSON.createObjectNode().put("batchId", UUID.randomUUID().toString());
        batch.set("events", events);
        byte[] body = batch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long start = System.currentTimeMillis();
        Balancer.Outcome outcome = balancer.send(base -> HttpRequest.newBuilder(base.resolve("/api/v1/events"))
                .timeout(EVENTS_TIMEOUT).header("Content-Type", "application/json")
                .header("User-Agent", "Mozilla/5.0 Chrome/120.0 chaos-load")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), false);
        int accepted = 0;
        if (outcome.ok()) {
            try {
                accepted = JSON.readTree(outcome.body()).path("accepted").asInt();
            } catch (IOException e) {
                System.err.println("load: events answered 2xx with a body that is not JSON: " + outcome.body());
            }
        }
        record("events", start, outcome, accepted, "");
    }

    private void transcribe(byte[] wav, String kind) throws InterruptedException {
        MultipartBody form = MultipartBody.create().file("audio", "clip.wav", "audio/wav", wav);
        long start = System.currentTimeMillis();
        Balancer.Outcome outcome = balancer.send(base -> form.post(base.resolve("/transcribe"))
                .timeout(TRANSCRIBE_TIMEOUT).header("X-API-Key", apiKey).build(), false);
        long latency = System.currentTimeMillis() - start;
        String cached = "";
        if (outcome.ok()) {
            try {
                cached = Boolean.toString(JSON.readTree(outcome.body()).path("cached").asBoolean());
            } catch (IOException e) {
                System.err.println("load: /transcribe answered 2xx with a body that is not JSON: " + outcome.body());
            }
        }
        record("transcribe_" + kind, start, outcome, 0, cached);
        // What the browser reports of it: ok, or a fallback to webspeech (counted against whisper).
        ObjectNode event = JSON.createObjectNode().put("type", "attempt")
                .put("sessionId", "chaos-t-" + ThreadLocalRandom.current().nextInt(SESSIONS))
                .put("provider", "whisper").put("browser", "chrome").put("language", "en")
                .put("outcome", outcome.ok() ? "ok" : "fallback").put("latencyMs", latency)
                .put("audioMs", Math.round(CLIP_SECONDS * 1000));
        if (!outcome.ok()) {
            event.put("errorCode", "http_" + outcome.label());
        }
        pendingEvents.add(event);
    }

    private void record(String endpoint, long start, Balancer.Outcome outcome, int accepted, String cached) {
        long end = System.currentTimeMillis();
        sent.incrementAndGet();
        String line = start + "," + end + "," + endpoint + "," + outcome.instance() + "," + outcome.label() + ","
                + outcome.retried() + "," + outcome.firstInstance() + "," + accepted + "," + cached + ","
                + outcome.failOpen();
        synchronized (requests) {
            requests.println(line);
        }
    }

    /** A 3 s noise clip, 16 kHz mono 16-bit WAV, the same bytes for the same seed. */
    private static byte[] clip(long seed) {
        return TestAudio.wav(TestAudio.noise(seed, CLIP_SECONDS, 16_000, 0.1), 16_000, 1, TestAudio.Encoding.PCM_S16,
                false);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected an --option, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
