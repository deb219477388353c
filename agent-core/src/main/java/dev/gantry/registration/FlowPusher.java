package dev.gantry.registration;

import dev.gantry.backend.BundleStore;
import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.backend.FlowStore;
import dev.gantry.bundle.BundleClassLoader;
import dev.gantry.bundle.BundleException;
import dev.gantry.bundle.BundleLoader;
import dev.gantry.bundle.BundleWriter;
import dev.gantry.bundle.LoadedFlow;
import dev.gantry.bundle.Sha256;
import dev.gantry.bundle.WorkDirectory;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.FlowLoadException;
import dev.gantry.home.GantryHome;
import dev.gantry.secrets.MasterKeyException;
import dev.gantry.secrets.SecretUnreadableException;
import dev.gantry.secrets.SecretVault;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageContext.SecretLookup;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.StorageRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replaces the source bundle of a flow's newest version in place ({@code gantry flow push}): builds
 * a new source bundle from the jars as registration does, proves it loads as a run will, writes it
 * to the version's stable location with the storage kind of its scheme and records the push. No new
 * version: the version's next run fetches the new bundle (hot reload).
 */
public final class FlowPusher {
  private final FlowStore flows;
  private final BundleStore bundles;
  private final GantryHome home;
  private final SecretVault secrets;
  private final StorageRegistry storages;

  /**
   * @param secrets the local secrets the storage signs its upload with; null for none
   */
  public FlowPusher(
      FlowStore flows,
      BundleStore bundles,
      GantryHome home,
      SecretVault secrets,
      StorageRegistry storages) {
    this.flows = flows;
    this.bundles = bundles;
    this.home = home;
    this.secrets = secrets;
    this.storages = storages;
  }

  /**
   * Pushes the jars to the flow's newest version.
   *
   * @throws RegistrationException with one line naming the flow, jar, factory or location at fault
   *     and what to do; nothing is written then
   */
  public BundlePush push(BundlePushRequest request) {
    String name = request.flowName();
    RegisteredFlow version =
        flows
            .latest(name)
            .orElseThrow(
                () ->
                    new RegistrationException(
                        "no flow named '" + name + "' is registered; see `gantry flow list`",
                        null));
    refuseFrozen(version);
    for (Path jar : request.jars()) {
      if (!Files.isRegularFile(jar)) {
        throw new RegistrationException("jar " + jar + " does not exist or is not a file", null);
      }
    }
    FlowFactory factory = factory(request, version);
    Path work = null;
    try {
      checkBuildsFlow(factory, request, name);
      work = Files.createTempDirectory("gantry-push-");
      Path bundle = work.resolve("source.gantry");
      BundleWriter.writeSource(name, factory, request.jars(), bundle);
      String digest = Sha256.of(bundle);
      proveLoadable(name, bundle, Files.createDirectories(work.resolve("check")));
      storages.replaceSource(
          name,
          version.location(),
          digest,
          bundle,
          new StorageContext(home.flowsDir(), secretLookup()));
      return bundles.recordPush(version.id(), digest, request.pushedBy());
    } catch (BundleException | StorageException e) {
      throw new RegistrationException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("pushing flow '" + name + "': " + e, e);
    } finally {
      WorkDirectory.deleteQuietly(work);
    }
  }

  /** Only a source bundle at a location that stays is replaced; anything else is refused. */
  private static void refuseFrozen(RegisteredFlow version) {
    String which = "flow '" + version.name() + "' version " + version.version();
    String fix = "; register a new version with `gantry flow register` instead";
    if (version.format() == BundleFormat.serialized) {
      throw new RegistrationException(
          which
              + " was registered as a serialized bundle, frozen by its SHA-256: a push cannot"
              + " change it"
              + fix
              + " (with --as-source to push to it later)",
          null);
    }
    if (version.format() == BundleFormat.module) {
      throw new RegistrationException(
          which
              + (version.image() != null && version.image().contains("@sha256:")
                  ? " runs the image " + version.image() + ", frozen by its digest"
                  : " uses module storage: its classes are in the run's image")
              + ", so there is no bundle to push"
              + fix,
          null);
    }
    if (version.location().startsWith("maven:")) {
      throw new RegistrationException(
          which
              + " is resolved from a Maven repository ("
              + version.location().split("[?#]", 2)[0]
              + "): deploy a new -SNAPSHOT build there, or"
              + fix.substring(2),
          null);
    }
  }

  private static FlowFactory factory(BundlePushRequest request, RegisteredFlow version) {
    String reference = request.factory() != null ? request.factory() : version.factory();
    if (reference == null) {
      throw new RegistrationException(
          "flow '" + version.name() + "' has no factory on record; give --factory CLASS#METHOD",
          null);
    }
    try {
      return FlowFactory.parse(reference);
    } catch (IllegalArgumentException e) {
      throw new RegistrationException(e.getMessage(), e);
    }
  }

  /** The jars' factory must build the flow pushed to, not another one. */
  private static void checkBuildsFlow(FlowFactory factory, BundlePushRequest request, String name)
      throws IOException {
    try (BundleClassLoader loader = new BundleClassLoader("push", request.jars())) {
      Flow flow;
      try {
        flow = factory.build(loader);
      } catch (FlowLoadException e) {
        throw new RegistrationException(e.getMessage(), e);
      }
      if (!flow.name().equals(name)) {
        throw new RegistrationException(
            "factory "
                + factory
                + " in the pushed jars builds flow '"
                + flow.name()
                + "', not '"
                + name
                + "'; push to `gantry flow push "
                + flow.name()
                + "`, or give the --factory of '"
                + name
                + "'",
            null);
      }
    }
  }

  /** Loads the bundle exactly as a run will, so a flow that cannot load is never written. */
  private static void proveLoadable(String name, Path bundle, Path check) throws IOException {
    try (LoadedFlow loaded = BundleLoader.load(bundle, "the pushed bundle", name, null, check)) {
      loaded.flow();
    }
  }

  /** The local secrets as storages read them; an unreadable one fails with the vault's message. */
  private SecretLookup secretLookup() {
    if (secrets == null) {
      return SecretLookup.NONE;
    }
    return secretName -> {
      try {
        return secrets.find(secretName);
      } catch (SecretUnreadableException | MasterKeyException e) {
        throw new StorageException(e.getMessage(), e);
      }
    };
  }
}
