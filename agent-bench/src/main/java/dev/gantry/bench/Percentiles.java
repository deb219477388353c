package dev.gantry.bench;

import java.util.List;

/** The nearest-rank percentile of a sorted sample. */
final class Percentiles {

  private Percentiles() {}

  /** The {@code p}th percentile of sorted millisecond latencies, or -1 when there are none. */
  static long of(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    return sorted.get(rank(sorted.size(), p));
  }

  /** The {@code p}th percentile of sorted timings; the sample must not be empty. */
  static double ofTimings(List<Double> sorted, int p) {
    return sorted.get(rank(sorted.size(), p));
  }

  private static int rank(int size, int p) {
    int index = (int) Math.ceil(p / 100.0 * size) - 1;
    return Math.max(0, Math.min(index, size - 1));
  }
}
