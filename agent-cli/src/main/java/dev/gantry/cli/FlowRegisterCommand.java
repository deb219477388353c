package dev.gantry.cli;

import dev.gantry.bundle.WorkDirectory;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.catalog.WhenLimited;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.flow.storage.Local;
import dev.gantry.flow.storage.Maven;
import dev.gantry.flow.storage.Module;
import dev.gantry.flow.storage.OciImage;
import dev.gantry.flow.storage.Storage;
import dev.gantry.registration.Registration;
import dev.gantry.schedule.CronSchedules;
import dev.gantry.storage.maven.MavenBundleStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gantry flow register}: build a flow from jars, store it, record a version. */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Register a flow: build it with its factory from the given jars, freeze it into a bundle,"
          + " store it and record a new version.",
      "Serialized (default): the flow object is frozen; the run checks its SHA-256.",
      "--as-source: the jars and factory are stored; the flow is rebuilt at every run, so"
          + " replacing the stored bundle changes the next run.",
      "--bundle FILE: register a bundle built by `gantry flow bundle` as it is (no --jar,"
          + " --factory or --as-source): it is verified and loaded as a run will load it, then"
          + " stored unchanged; the version's SHA-256 is the file's.",
      "--storage module: nothing is stored; the flow's classes must be in the run's image.",
      "--storage s3://BUCKET/PREFIX: stored in S3 (or a compatible store with --s3-endpoint);"
          + " adds the label s3-flow-storage.",
      "--storage maven:GROUP:ARTIFACT:VERSION --maven-repo URL: the jar and its dependencies"
          + " come from a Maven repository (no --jar); a release is frozen, a -SNAPSHOT is"
          + " resolved anew at every run; adds the label maven-flow-storage.",
      "--storage http(s)://HOST/PATH[/{flow}/{digest}] with --http-header NAME=secret:SECRET:"
          + " PUT to and fetched from a web server; adds the label http-flow-storage.",
      "--storage gs://BUCKET/PREFIX [--gcs-credentials-secret NAME]: stored in Google Cloud"
          + " Storage (a service-account JSON secret, else Application Default Credentials);"
          + " adds the label gcs-flow-storage.",
      "--storage azblob://ACCOUNT/CONTAINER/PREFIX --azure-credentials-secret NAME: stored in"
          + " Azure Blob storage (a connection-string secret); adds the label azure-flow-storage.",
      "--storage image:REGISTRY/REPO:TAG [--image-credentials-secret NAME]: the jars become a"
          + " layer on the Gantry image, pushed to a registry; runs use the image by digest;"
          + " adds the label image-flow-storage.",
      "Run settings (--run-env, --memory, --cpus, --run-timeout, ...) are stored with the"
          + " version, over the flow's own; the agent applies them within its policy."
    })
public final class FlowRegisterCommand implements Callable<Integer> {
  @Mixin BackendOptions backend;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--jar",
      paramLabel = "JAR",
      description =
          "A jar with the flow's classes; repeat for its dependencies (required, except with"
              + " --storage maven:...).")
  List<Path> jars = new ArrayList<>();

  @Option(
      names = "--factory",
      paramLabel = "CLASS#METHOD",
      description =
          "The public static method that builds the Flow, e.g. com.acme.Flows#etl (required,"
              + " except with --bundle).")
  String factory;

  @Option(
      names = "--bundle",
      paramLabel = "FILE",
      description =
          "A prebuilt bundle (gantry flow bundle) to register unchanged, instead of --jar and"
              + " --factory.")
  Path bundle;

  @Option(names = "--as-source", description = "Store jars and factory, not the flow object.")
  boolean asSource;

  @Option(
      names = "--storage",
      paramLabel = "STORAGE",
      description =
          "Where to store it: local, local:DIR, s3://BUCKET/PREFIX, gs://BUCKET/PREFIX,"
              + " azblob://ACCOUNT/CONTAINER/PREFIX, http(s)://URL, image:REGISTRY/REPO:TAG,"
              + " maven:GROUP:ARTIFACT:VERSION or module (default: the flow's own storage,"
              + " else local under the home).")
  String storage;

  @Option(
      names = {"-l", "--label"},
      paramLabel = "LABEL",
      description = "An extra label agents must carry to take the flow's runs.")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--no-default-labels",
      description =
          "Leave out the storage's default label (the host name for local storage,"
              + " s3-flow-storage, gcs-flow-storage, azure-flow-storage, maven-flow-storage,"
              + " http-flow-storage, image-flow-storage).")
  boolean noDefaultLabels;

  @Mixin S3StorageOptions s3;

  @Mixin MavenStorageOptions maven;

  @Mixin HttpStorageOptions http;

  @Mixin GcsStorageOptions gcs;

  @Mixin AzureStorageOptions azure;

  @Mixin ImageStorageOptions image;

  @Mixin RunConfigOptions runConfig;

  @Option(
      names = "--cron",
      paramLabel = "EXPR",
      description =
          "Create runs on this Quartz cron schedule (seconds first, in UTC), e.g. \"0 0 * * *"
              + " ?\" every hour; replaces the flow's own schedule.")
  String cron;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Create a run every DURATION (e.g. 15m), the first one interval after registering;"
              + " replaces the flow's own schedule.")
  Duration interval;

  @Option(
      names = "--infrastructure-retries",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Schedule a run again up to N times when its infrastructure fails (killed, OOM,"
              + " vanished, agent lost); separate from task retries (default ${DEFAULT-VALUE}).")
  int infrastructureRetries;

  @Option(
      names = "--concurrency-limit",
      paramLabel = "N",
      description = "At most N runs of the flow (any version) active at once.")
  Integer concurrencyLimit;

  @Option(
      names = "--when-limited",
      paramLabel = "wait|cancel",
      description =
          "A due run of the flow at its limit waits (default) or is cancelled; needs"
              + " --concurrency-limit.")
  String whenLimited;

  /** The registration's schedule from --cron or --interval, or null for the flow's own. */
  FlowSchedule schedule() {
    if (cron != null && interval != null) {
      throw new UserError("--cron and --interval exclude each other");
    }
    if (cron != null) {
      CronSchedules.check(cron);
      return FlowSchedule.cron(cron);
    }
    return interval == null ? null : FlowSchedule.every(interval);
  }

  RunPolicy policy() {
    if (whenLimited != null && concurrencyLimit == null) {
      throw new UserError("--when-limited needs --concurrency-limit N");
    }
    return new RunPolicy(
        infrastructureRetries,
        concurrencyLimit,
        whenLimited == null ? WhenLimited.wait : WhenLimited.parse(whenLimited));
  }

  /** The one-line refusals of --bundle with what it replaces. */
  private void checkBundleOptions() {
    if (bundle == null) {
      if (factory == null) {
        throw new UserError(
            "--factory CLASS#METHOD is required (or --bundle FILE built by gantry flow bundle)");
      }
      return;
    }
    if (!jars.isEmpty() || factory != null || asSource) {
      throw new UserError(
          "--bundle excludes --jar, --factory and --as-source: the bundle carries its jars, its"
              + " factory and its format");
    }
    if (MavenStorageOptions.isMaven(storage) || "module".equals(storage)) {
      throw new UserError(
          "--bundle and --storage "
              + storage
              + " exclude each other: that storage takes no bundle");
    }
  }

  @Override
  public Integer call() throws IOException {
    checkBundleOptions();
    if (maven.anyGiven() != MavenStorageOptions.isMaven(storage)) {
      throw new UserError("--storage maven:GROUP:ARTIFACT:VERSION goes with --maven-repo URL");
    }
    if (bundle == null && MavenStorageOptions.isMaven(storage) == !jars.isEmpty()) {
      throw new UserError(
          jars.isEmpty()
              ? "--jar JAR is required (except with --storage maven:...)"
              : "--jar and --storage maven:... exclude each other: the jars come from the"
                  + " repository");
    }
    Storage chosen =
        S3StorageOptions.isS3(storage)
            ? s3.storage(storage, System.getenv())
            : MavenStorageOptions.isMaven(storage)
                ? maven.storage(storage)
                : HttpStorageOptions.isHttp(storage)
                    ? http.storage(storage)
                    : GcsStorageOptions.isGcs(storage)
                        ? gcs.storage(storage)
                        : AzureStorageOptions.isAzure(storage)
                            ? azure.storage(storage)
                            : ImageStorageOptions.isImage(storage)
                                ? image.storage(storage)
                                : parseStorage(storage, factory);
    if (gcs.anyGiven() && !GcsStorageOptions.isGcs(storage)) {
      throw new UserError("--gcs-credentials-secret needs --storage gs://BUCKET/PREFIX");
    }
    if (azure.anyGiven() && !AzureStorageOptions.isAzure(storage)) {
      throw new UserError(
          "--azure-credentials-secret needs --storage azblob://ACCOUNT/CONTAINER/PREFIX");
    }
    if (image.anyGiven() && !ImageStorageOptions.isImage(storage)) {
      throw new UserError(
          "--image-credentials-secret and --base-image need --storage image:REGISTRY/REPO:TAG");
    }
    if (asSource && chosen instanceof OciImage) {
      throw new UserError(
          "--as-source and --storage image:... exclude each other: the image is frozen by digest");
    }
    if (http.anyGiven() && !HttpStorageOptions.isHttp(storage)) {
      throw new UserError("--http-header needs --storage http(s)://...");
    }
    if (asSource && chosen instanceof Module) {
      throw new UserError("--as-source and --storage module exclude each other");
    }
    if (s3.anyGiven() && !S3StorageOptions.isS3(storage)) {
      throw new UserError(
          "--s3-endpoint, --s3-region and --s3-credentials-secret need --storage s3://BUCKET/PREFIX");
    }
    RunPolicy runPolicy = policy();
    FlowSchedule chosenSchedule = schedule();
    PrintWriter out = spec.commandLine().getOut();
    Path resolved = null;
    try (GantryClient gantry = backend.client()) {
      List<Path> flowJars = jars;
      if (chosen instanceof Maven m) {
        resolved = Files.createTempDirectory("gantry-maven-");
        flowJars = mavenJars(m, gantry, resolved);
      }
      Registration registration =
          (bundle != null
                  ? Registration.ofBundle(bundle)
                      .withStorage(chosen)
                      .withLabels(new LinkedHashSet<>(labels))
                  : new Registration(
                      flowJars,
                      factory,
                      asSource ? BundleFormat.source : null,
                      chosen,
                      new LinkedHashSet<>(labels),
                      true))
              .withPolicy(runPolicy)
              .withSchedule(chosenSchedule)
              .withRunConfig(runConfig.settings());
      if (noDefaultLabels) {
        registration = registration.withoutDefaultLabels();
      }
      RegisteredFlow flow = gantry.register(registration);
      out.printf(
          "Registered flow %s version %d (%s)%n", flow.name(), flow.version(), flow.format());
      out.printf("  location: %s%n", flow.location());
      if (flow.digest() != null) {
        out.printf("  sha256:   %s%n", flow.digest());
      }
      out.printf("  labels:   %s%n", Render.labelsWithSources(flow.labels()));
      RunConfigOptions.describe(flow.runConfig()).forEach(out::println);
      if (flow.image() != null) {
        out.printf("  image:    %s%n", flow.image());
      }
      if (!flow.secrets().isEmpty()) {
        out.printf("  secrets:  %s%n", String.join(", ", flow.secrets()));
      }
      if (flow.schedule() != null) {
        out.printf("  schedule: %s%n", flow.schedule().describe());
      }
      if (flow.policy().concurrencyLimit() != null) {
        out.printf(
            "  limit:    %d active runs, excess runs %s%n",
            flow.policy().concurrencyLimit(), flow.policy().whenLimited());
      }
      if (flow.policy().infrastructureRetries() > 0) {
        out.printf("  infrastructure retries: %d%n", flow.policy().infrastructureRetries());
      }
      out.flush();
      gantry.coverageWarning(flow).ifPresent(spec.commandLine().getErr()::println);
      spec.commandLine().getErr().flush();
    } finally {
      WorkDirectory.deleteQuietly(resolved);
    }
    return 0;
  }

  /**
   * The jars of a Maven flow, resolved here; over the API without credentials only, since the
   * server never gives a secret's value back.
   */
  private static List<Path> mavenJars(Maven storage, GantryClient gantry, Path directory)
      throws IOException {
    if (gantry instanceof DatabaseGantryClient database) {
      return MavenStorageOptions.jars(storage, database, directory);
    }
    if (storage.credentialsSecret() != null) {
      throw new UserError(
          "--maven-credentials-secret cannot be read through the server (secret values are"
              + " write-only); register with --db, or from a repository this machine reads"
              + " without credentials");
    }
    return new MavenBundleStorage(storage, null).resolveJars(directory);
  }

  static Storage parseStorage(String value, String factory) {
    if (value == null) {
      return null;
    }
    if (value.equals("local")) {
      return Local.defaults();
    }
    if (value.startsWith("local:")) {
      return Local.directory(value.substring("local:".length()));
    }
    if (value.equals("module")) {
      return Module.factory(factory);
    }
    throw new UserError(
        "unknown storage '"
            + value
            + "'; use local, local:DIR, s3://BUCKET/PREFIX, gs://BUCKET/PREFIX,"
            + " azblob://ACCOUNT/CONTAINER/PREFIX, http(s)://URL, image:REGISTRY/REPO:TAG,"
            + " maven:GROUP:ARTIFACT:VERSION or module");
  }
}
