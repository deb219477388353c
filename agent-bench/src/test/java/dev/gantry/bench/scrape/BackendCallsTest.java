package dev.gantry.bench.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.Backend;
import dev.gantry.backend.jdbc.JdbcBackend;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scrape benchmark's count of database calls, per thread, on a real (H2) backend. */
class BackendCallsTest {
  @TempDir Path home;

  @Test
  void countsEachCallIntoTheBackendAndItsStoresByTheCallingThreadAndPassesResultsOn()
      throws Exception {
    try (JdbcBackend jdbc = JdbcBackend.open(JdbcBackend.embeddedUrl(home))) {
      BackendCalls calls = new BackendCalls(jdbc);
      Backend counted = calls.backend();
      ExecutorService named =
          Executors.newSingleThreadExecutor(r -> new Thread(r, "gantry-health"));
      try {
        boolean reachable = named.submit(counted::isReachable).get();
        int agents = named.submit(() -> counted.agents().list().size()).get();

        assertThat(reachable).isTrue();
        assertThat(agents).isZero();
        // isReachable, agents() and list(): three calls, all on the named thread
        assertThat(calls.on("gantry-health")).isEqualTo(3);
        assertThat(calls.on(Thread.currentThread().getName())).isZero();

        counted.runSearch().activeRuns(java.time.Instant.now());
        assertThat(calls.on(Thread.currentThread().getName())).isEqualTo(2);
        assertThat(calls.on("gantry-health")).isEqualTo(3);
      } finally {
        named.shutdownNow();
      }
    }
  }
}
