package dev.gantry.bootstrap;

import dev.gantry.bundle.BundleClassLoader;
import dev.gantry.bundle.BundleLoader;
import dev.gantry.bundle.BundleWriter;
import dev.gantry.bundle.LoadedFlow;
import dev.gantry.bundle.Sha256;
import dev.gantry.bundle.WorkDirectory;
import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.run.FlowRunner;
import dev.gantry.protocol.FlatJson;
import dev.gantry.storage.StorageRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
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
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        return line.toString(StandardCharsets.UTF_8);
      }
      line.write(b);
    }
    return null;
  }

  /** Rounds of warm-up: enough for the JIT to compile what every run goes through. */
  private static final int WARM_UP_ROUNDS = 12;

  /**
   * Runs, with output discarded, what a run runs: logging and protocol lines, a serialization round
   * trip of a flow with lambdas, the runner, a zip with a manifest, a digest and a class loader,
   * several times, so their classes are loaded, linked and partly compiled.
   */
  private static void warmUp() {
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    ProtocolOutput output = new ProtocolOutput(discard);
    ProtocolOutput.install(output);
    Path dir = null;
    try {
      dir = Files.createTempDirectory("gantry-warm-up-");
      for (int round = 0; round < WARM_UP_ROUNDS && !runArrived(); round++) {
        warmUpRound(output, dir.resolve("round-" + round));
      }
    } catch (Exception e) {
      // Warming up is an optimisation; the run itself reports any real problem.
    } finally {
      ProtocolOutput.install(null);
      WorkDirectory.deleteQuietly(dir);
    }
  }

  /**
   * Whether the run's line is waiting on stdin: a run claimed while this JVM warms up must not wait
   * for the remaining rounds (the rounds already done have loaded most of what it needs).
   */
  private static boolean runArrived() {
    try {
      return System.in.available() > 0;
    } catch (IOException e) {
      return true; // stdin is gone or unreadable: reading it will tell
    }
  }

  private static void warmUpRound(ProtocolOutput output, Path round) throws Exception {
    Files.createDirectories(round);
    Path zip = round.resolve("round.zip");
    LoggerFactory.getLogger(Standby.class).info("warming up");
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
    new FlowRunner(
            2,
            change ->
                output.taskState(
                    change.task(),
                    change.state().name(),
                    change.attempt(),
                    change.at(),
                    change.message()))
        .run(copy, Map.of("seed", "2"));
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("gantry/manifest.properties"));
      out.write(bytes.toByteArray());
      out.closeEntry();
    }
    Sha256.of(zip);
    try (ZipFile file = new ZipFile(zip.toFile())) {
      try (InputStream in = file.getInputStream(file.getEntry("gantry/manifest.properties"))) {
        Sha256.of(in);
      }
    }
    Files.copy(zip, zip.resolveSibling(zip.getFileName() + ".copy"));
    new BundleClassLoader("warm-up", List.of(zip)).close();
    FlatJson.decodeStrings(FlatJson.encode(Map.of("warm", "up")));
    warmUpBundlePath(round);
  }

  /**
   * The path every stored run takes after its line: a bundle written, fetched through the storage
   * registry and loaded under the deserialization filter. The flow holds only SDK classes (no
   * lambdas of this class), so the filter lets it through as it does a user's flow.
   */
  static void warmUpBundlePath(Path round) throws IOException {
    Flow flow = warmUpFlow();
    Path stored = round.resolve("stored.gantry");
    BundleWriter.writeSerialized(
        flow, FlowFactory.parse(Standby.class.getName() + "#warmUpFlow"), List.of(), stored);
    Path fetched = round.resolve("fetched.gantry");
    StorageRegistry.installed().fetch(WARM_UP_FLOW, stored.toUri().toString(), fetched, Map.of());
    Path work = Files.createDirectory(round.resolve("work"));
    try (LoadedFlow loaded =
        BundleLoader.load(fetched, "warm-up", WARM_UP_FLOW, Sha256.of(fetched), work)) {
      loaded.flow().name();
    }
  }

  private static final String WARM_UP_FLOW = "warm-up";

  /** The factory of the warm-up bundle's flow (recorded in its manifest, as a user's is). */
  static Flow warmUpFlow() {
    Flow flow = new Flow(WARM_UP_FLOW);
    flow.parameter("seed", Integer.class, 1);
    return flow;
  }
}
