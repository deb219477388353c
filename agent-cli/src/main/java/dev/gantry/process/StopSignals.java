package dev.gantry.process;

import sun.misc.Signal;

/**
 * Runs a graceful stop on SIGTERM and SIGINT <em>before</em> the JVM's shutdown begins. Shutdown
 * hooks run concurrently and unordered, so the embedded database's own hook could close it while
 * the agent still records how its runs ended; handling the signal first avoids that.
 */
final class StopSignals {
  private StopSignals() {}

  static void onTermination(Runnable stop) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(
            new Signal(name),
            signal -> {
              Thread stopper =
                  new Thread(
                      () -> {
                        stop.run();
                        System.exit(0);
                      },
                      "gantry-stop-on-" + name);
              stopper.start();
            });
      } catch (IllegalArgumentException unsupported) {
        // the platform has no such signal; the shutdown hook still stops the agent
      }
    }
  }
}
