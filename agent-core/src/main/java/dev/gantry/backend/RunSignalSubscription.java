package dev.gantry.backend;

/** A subscription to {@link RunSignal}s; close it to stop them and release its connection. */
public interface RunSignalSubscription extends AutoCloseable {

  /** For backends that cannot push: nothing arrives, subscribers rely on polling. */
  RunSignalSubscription NONE =
      new RunSignalSubscription() {
        @Override
        public boolean isListening() {
          return false;
        }

        @Override
        public void close() {}
      };

  /** Whether signals arrive now (false while a lost connection is being re-established). */
  boolean isListening();

  @Override
  void close();
}
