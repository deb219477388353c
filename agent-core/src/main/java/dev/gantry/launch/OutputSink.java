package dev.gantry.launch;

/** Receives a run's output, one line at a time, without the line terminator. */
@FunctionalInterface
public interface OutputSink {
  void line(String line);
}
