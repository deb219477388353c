package dev.gantry.bootstrap;

import dev.gantry.bundle.Sha256;
import dev.gantry.flow.Flow;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.flow.run.TaskStateListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * A bootstrap JVM started before its run is known, so a run's start costs no JVM start. It loads
 * and exercises the classes every run needs, then blocks on stdin for one line: the run's bootstrap
 * variables as a JSON object. From there it is an ordinary {@link Bootstrap}. If stdin closes first
 * (its agent stopped), it exits quietly: it never had a run.
 */
final class Standby {
  private Standby() {}

  static int awaitRunAndExecute() throws IOException {
    warmUp();
    InputStream stdin = System.in;
    String line = readLine(stdin);
    if (line == null) {
      return ExitCodes.SUCCESS;
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove(BootstrapSpec.STANDBY);
    try {
      env.putAll(FlatJson.decodeStrings(line));
    } catch (IllegalArgumentException e) {
      env.clear(); // the bootstrap reports the missing variables as bad input
    }
    return Bootstrap.execute(env, stdin);
  }

  /** Reads up to a newline without buffering past it: the rest of stdin is watched for EOF. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        return line.toString(StandardCharsets.UTF_8);
      }
      line.write(b);
    }
    return null;
  }

  /**
   * Runs, with output discarded, what a run runs: logging, a serialization round trip of a flow
   * with lambdas, the runner and a digest, so their classes are loaded and linked.
   */
  private static void warmUp() {
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    ProtocolOutput.install(new ProtocolOutput(discard));
    try {
      LoggerFactory.getLogger(Standby.class).debug("warming up");
      Flow flow = new Flow("warm-up");
      var seed = flow.parameter("seed", Integer.class, 1);
      var doubled = flow.task("double", seed, n -> n * 2);
      flow.task("describe", doubled, n -> "value " + n);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(flow);
      }
      Flow copy;
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        copy = (Flow) in.readObject();
      }
      new FlowRunner(2, TaskStateListener.NONE).run(copy, Map.of("seed", "2"));
      Sha256.of(bytes.toByteArray());
      FlatJson.decodeStrings(FlatJson.encode(Map.of("warm", "up")));
    } catch (Exception e) {
      // Warming up is an optimisation; the run itself reports any real problem.
    } finally {
      ProtocolOutput.install(null);
    }
  }
}
