package dev.gantry.docker;

import java.time.Instant;

/**
 * Follows run containers' output. Implementations must not hold a thread per followed container: an
 * agent supervises many sleeping runs at once.
 */
interface LogStreams extends AutoCloseable {

  /** Receives one container's output lines, then the end of its output. */
  interface Listener {
    /** A line of output, with the engine's timestamp. */
    void line(Instant at, String line);

    /**
     * The output ended: the container stopped (error null) or the stream broke (error set). Called
     * once, after the last line.
     */
    void ended(Throwable error);
  }

  /** A followed stream; closing it stops following without calling {@link Listener#ended}. */
  interface Stream extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Reads the container's stdout and stderr.
   *
   * @param since only lines the engine received at or after this instant; null for all
   * @param follow true to keep reading until the container stops; false to read what the engine
   *     holds now and end. The engine may end a followed stream before delivering the last lines a
   *     stopping container wrote, so a followed stream is completed by a read without follow.
   */
  Stream read(String containerId, Instant since, boolean follow, Listener listener);

  @Override
  void close();

  /** Whether a stream ended because the engine has no such container (any more). */
  static boolean containerGone(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof SelectorLogStreams.EngineAnswer answer && answer.status() == 404) {
        return true;
      }
      if (e instanceof com.github.dockerjava.api.exception.NotFoundException) {
        return true;
      }
    }
    return false;
  }
}
