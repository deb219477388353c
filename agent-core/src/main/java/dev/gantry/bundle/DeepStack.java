package dev.gantry.bundle;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs Java serialization on a thread with a large stack. Serialization recurses once per level of
 * nesting, so a long chain of tasks (or a hostile stream) would otherwise overflow an ordinary
 * stack before {@link FlowInputFilter}'s depth limit can refuse it.
 */
final class DeepStack {
  /** Enough for {@link FlowInputFilter#MAX_DEPTH} levels with room to spare. */
  static final long STACK_BYTES = 256L * 1024 * 1024;

  private DeepStack() {}

  /** Work that may throw what serialization throws. */
  @FunctionalInterface
  interface Work<T> {
    T run() throws IOException, ClassNotFoundException;
  }

  static <T> T call(Work<T> work) throws IOException, ClassNotFoundException {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread =
        new Thread(
            null,
            () -> {
              try {
                result.set(work.run());
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "gantry-serialization",
            STACK_BYTES);
    // Class loading during deserialization must see the caller's context loader.
    thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      thread.interrupt();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while (de)serializing a flow", e);
    }
    Throwable thrown = failure.get();
    if (thrown == null) {
      return result.get();
    }
    if (thrown instanceof IOException io) {
      throw io;
    }
    if (thrown instanceof ClassNotFoundException cnf) {
      throw cnf;
    }
    if (thrown instanceof RuntimeException re) {
      throw re;
    }
    if (thrown instanceof StackOverflowError) {
      throw new IOException("the flow is nested too deeply to (de)serialize", thrown);
    }
    if (thrown instanceof Error error) {
      throw error;
    }
    throw new IOException(thrown);
  }
}
