package dev.gantry.kubernetes.testing;

import dev.gantry.launch.OutputSink;
import java.util.ArrayList;
import java.util.List;

/** An output sink that keeps every line it is given, in order. */
public final class RecordingSink implements OutputSink {
  private final List<String> lines = new ArrayList<>();

  @Override
  public synchronized void line(String line) {
    lines.add(line);
  }

  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }
}
