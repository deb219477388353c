package dev.gantry.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** The database's own floor: single-row UPDATEs per second, in a table of the benchmark's own. */
final class DatabaseFloor {

  private static final Duration FLOOR_TIME = Duration.ofSeconds(5);

  private DatabaseFloor() {}

  /** Single-row UPDATEs per second, each its own transaction, from {@code connections} at once. */
  static double updatesPerSecond(String url, int connections) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)");
      s.execute("DELETE FROM bench_floor");
      s.execute("INSERT INTO bench_floor SELECT g, 0 FROM generate_series(1, 8) g");
    }
    AtomicLong updates = new AtomicLong();
    ExecutorService threads = Executors.newFixedThreadPool(connections);
    long start = System.nanoTime();
    long end = start + FLOOR_TIME.toNanos();
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 1; t <= connections; t++) {
        int row = t;
        work.add(
            threads.submit(
                () -> {
                  try (Connection c = DriverManager.getConnection(url);
                      PreparedStatement update =
                          c.prepareStatement("UPDATE bench_floor SET n = n + 1 WHERE id = ?")) {
                    update.setInt(1, row);
                    while (System.nanoTime() < end) {
                      update.executeUpdate();
                      updates.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    return updates.get() / ((System.nanoTime() - start) / 1e9);
  }
}
