package dev.gantry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.backend.Backend;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunFence;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Stores log lines of a Running run through the backend, as its agent does (fenced appends), at
 * random intervals, while a client follows {@code /runs/{id}/events}; each line's latency is from
 * its append returning (committed) to the client reading its {@code log} event.
 */
final class SseLatency {
  private static final String PROBE = "sse-probe ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String base;
  private final String token;
  private final Backend backend;
  private final BenchOutput out;

  SseLatency(HttpClient http, String base, String token, Backend backend, BenchOutput out) {
    this.http = http;
    this.base = base;
    this.token = token;
    this.backend = backend;
    this.out = out;
  }

  /** Milliseconds from stored to received, one per line. */
  List<Long> measure(ApiSeed.Seeded run, int lines) throws Exception {
    long lastLogId =
        backend.runs().logs(run.logRunId(), 0, Integer.MAX_VALUE).stream()
            .mapToLong(LogRecord::id)
            .max()
            .orElse(0);
    int states = backend.runs().history(run.logRunId()).size();
    Map<Integer, Long> received = new ConcurrentHashMap<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    CountDownLatch all = new CountDownLatch(lines);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/runs/" + run.logRunId() + "/events"))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "text/event-stream")
            // Resume after what is stored: the stream then carries only the probes.
            .header("Last-Event-ID", states + ":" + lastLogId)
            .build();
    HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the event stream answered " + response.statusCode());
    }
    Thread reader =
        new Thread(
            () -> {
              subscribed.countDown();
              try {
                response
                    .body()
                    .forEach(
                        line -> {
                          if (line.startsWith("data:") && line.contains(PROBE)) {
                            long now = System.nanoTime();
                            try {
                              JsonNode event = JSON.readTree(line.substring(5));
                              String message = event.get("message").asText();
                              received.putIfAbsent(
                                  Integer.parseInt(message.substring(PROBE.length())), now);
                              all.countDown();
                            } catch (Exception e) {
                              throw new IllegalStateException("unreadable event " + line, e);
                            }
                          }
                        });
              } catch (java.io.UncheckedIOException closed) {
                // the stream is closed once every probe has arrived
              }
            },
            "bench-sse-reader");
    reader.setDaemon(true);
    reader.start();
    subscribed.await();
    Thread.sleep(1000); // the stream's first polls
    RunFence fence = new RunFence(run.logRunId(), run.logRunAttempt(), run.logRunAgent());
    Random random = new Random(7);
    Map<Integer, Long> stored = new ConcurrentHashMap<>();
    for (int i = 0; i < lines; i++) {
      // Random gaps, so lines land at every phase of the server's poll.
      Thread.sleep(20 + random.nextInt(280));
      LogRecord line = new LogRecord(0, run.logRunId(), null, "INFO", "task", "load", PROBE + i);
      if (!backend.runs().appendLogs(fence, List.of(line))) {
        throw new IllegalStateException("the fence of run " + run.logRunId() + " was refused");
      }
      stored.put(i, System.nanoTime());
    }
    if (!all.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "only " + received.size() + " of " + lines + " log lines arrived over SSE in 30 s");
    }
    response.body().close();
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      latencies.add(Math.max(0, TimeUnit.NANOSECONDS.toMillis(received.get(i) - stored.get(i))));
    }
    out.say("SSE: %d log lines stored and received", lines);
    return latencies;
  }
}
