package dev.gantry.registration;

import dev.gantry.backend.FlowStore;
import dev.gantry.bundle.BundleClassLoader;
import dev.gantry.bundle.BundleException;
import dev.gantry.bundle.BundleLoader;
import dev.gantry.bundle.BundleWriter;
import dev.gantry.bundle.LoadedFlow;
import dev.gantry.bundle.Sha256;
import dev.gantry.bundle.WorkDirectory;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowLabel;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.LabelSource;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.ParameterSpec;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunConfig;
import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import dev.gantry.flow.FlowLoadException;
import dev.gantry.flow.Parameter;
import dev.gantry.flow.Schedule;
import dev.gantry.flow.environment.Environment;
import dev.gantry.flow.storage.Local;
import dev.gantry.flow.storage.Maven;
import dev.gantry.flow.storage.Module;
import dev.gantry.flow.storage.OciImage;
import dev.gantry.flow.storage.Storage;
import dev.gantry.home.GantryHome;
import dev.gantry.launch.RunSettingValidator;
import dev.gantry.schedule.CronSchedules;
import dev.gantry.secrets.MasterKeyException;
import dev.gantry.secrets.SecretUnreadableException;
import dev.gantry.secrets.SecretVault;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageContext.SecretLookup;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.StorageRegistry;
import dev.gantry.storage.image.FlowImageBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers flows: builds the flow from the user's jars, freezes it into a bundle, proves the
 * bundle loads, stores it and records the new flow version with its labels (and where each came
 * from), secrets, parameters and image. The storage is the kind the {@link StorageRegistry} finds
 * for the flow's storage description.
 */
public final class FlowRegistrar {
  private final FlowStore flows;
  private final GantryHome home;
  private final SecretVault secrets;
  private final StorageRegistry storages;

  public FlowRegistrar(FlowStore flows, GantryHome home) {
    this(flows, home, null);
  }

  /**
   * @param secrets the local secrets, for the credentials of S3 storage; null for none (the AWS
   *     default chain signs uploads)
   */
  public FlowRegistrar(FlowStore flows, GantryHome home, SecretVault secrets) {
    this(flows, home, secrets, StorageRegistry.installed());
  }

  /** As {@link #FlowRegistrar(FlowStore, GantryHome, SecretVault)}, with these storage kinds. */
  public FlowRegistrar(
      FlowStore flows, GantryHome home, SecretVault secrets, StorageRegistry storages) {
    this.flows = flows;
    this.home = home;
    this.secrets = secrets;
    this.storages = storages;
  }

  public RegisteredFlow register(Registration registration) {
    if (registration.bundle() != null) {
      return registerBundle(registration);
    }
    for (Path jar : registration.jars()) {
      if (!Files.isRegularFile(jar)) {
        throw new RegistrationException("jar " + jar + " does not exist or is not a file", null);
      }
    }
    FlowFactory factory;
    try {
      factory = FlowFactory.parse(registration.factory());
    } catch (IllegalArgumentException e) {
      throw new RegistrationException(e.getMessage(), e);
    }
    Path work = null;
    try (BundleClassLoader loader = new BundleClassLoader("registration", registration.jars())) {
      Flow flow;
      try {
        flow = factory.build(loader);
      } catch (FlowLoadException e) {
        throw new RegistrationException(e.getMessage(), e);
      }
      FlowSchedule schedule = chooseSchedule(registration, flow);
      RunConfig runConfig = runConfig(flow, registration);
      Storage storage = chooseStorage(registration, flow);
      BundleFormat format = chooseFormat(registration, storage);
      work = Files.createTempDirectory("gantry-register-");
      String location;
      String digest = null;
      String image = flow.environment() == null ? null : flow.environment().image();
      if (format == BundleFormat.module) {
        location = "module:" + factory;
        if (storage instanceof OciImage oci) {
          // the flow's jars go into an image; its runs start it by digest, as module flows
          image = new FlowImageBuilder(secretLookup()).build(oci, flow.name(), registration.jars());
        }
      } else {
        Path bundle = work.resolve("flow.gantry");
        if (format == BundleFormat.serialized) {
          BundleWriter.writeSerialized(flow, factory, registration.jars(), bundle);
        } else {
          BundleWriter.writeSource(flow.name(), factory, registration.jars(), bundle);
        }
        digest = Sha256.of(bundle);
        proveLoadable(flow.name(), bundle, format, digest, work);
        location = storageFor(storage).store(flow.name(), format, digest, bundle);
      }
      return flows.register(
          version(
              flow,
              format,
              location,
              digest,
              factory.toString(),
              image,
              storage,
              registration,
              schedule,
              runConfig));
    } catch (BundleException | StorageException e) {
      throw new RegistrationException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("registering " + registration.factory() + ": " + e, e);
    } finally {
      WorkDirectory.deleteQuietly(work);
    }
  }

  /**
   * Registers a prebuilt bundle as it is: verified and loaded as a run will load it, then stored
   * unchanged, so the version's digest is the file's.
   */
  private RegisteredFlow registerBundle(Registration registration) {
    Path work = null;
    try {
      work = Files.createTempDirectory("gantry-register-");
      try (PrebuiltBundle bundle = PrebuiltBundle.verify(registration.bundle(), work)) {
        Flow flow = bundle.flow();
        FlowSchedule schedule = chooseSchedule(registration, flow);
        RunConfig runConfig = runConfig(flow, registration);
        Storage storage = chooseStorage(registration, flow);
        if (storage.format() == Storage.Format.MODULE || storage instanceof Maven) {
          throw new RegistrationException(
              "flow '"
                  + flow.name()
                  + "' would be stored in "
                  + storage.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)
                  + " storage, which does not take a prebuilt bundle; give --storage local,"
                  + " s3://..., gs://..., azblob://... or http(s)://...",
              null);
        }
        String image = flow.environment() == null ? null : flow.environment().image();
        String location =
            storageFor(storage).store(flow.name(), bundle.format(), bundle.digest(), bundle.file());
        return flows.register(
            version(
                flow,
                bundle.format(),
                location,
                bundle.digest(),
                bundle.factory(),
                image,
                storage,
                registration,
                schedule,
                runConfig));
      }
    } catch (BundleException | StorageException e) {
      throw new RegistrationException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("registering " + registration.describe() + ": " + e, e);
    } finally {
      WorkDirectory.deleteQuietly(work);
    }
  }

  /** The version to record, with the schedule and run settings checked before storing. */
  private NewFlowVersion version(
      Flow flow,
      BundleFormat format,
      String location,
      String digest,
      String factory,
      String image,
      Storage storage,
      Registration registration,
      FlowSchedule schedule,
      RunConfig runConfig) {
    return new NewFlowVersion(
        flow.name(),
        format,
        location,
        digest,
        factory,
        image,
        labels(flow, storage, registration),
        secrets(flow, storage),
        parameters(flow),
        registration.policy(),
        schedule,
        runConfig);
  }

  /**
   * The registration's schedule, else the flow's own; checked here so a bad cron expression or a
   * scheduled flow that needs parameters nobody passes fails registration, not every fire.
   */
  private static FlowSchedule chooseSchedule(Registration registration, Flow flow) {
    FlowSchedule schedule = registration.schedule();
    if (schedule == null && flow.schedule() != null) {
      Schedule described = flow.schedule();
      schedule =
          described.cron() != null
              ? FlowSchedule.cron(described.cron())
              : FlowSchedule.every(described.interval());
    }
    if (schedule == null) {
      return null;
    }
    if (schedule.cron() != null) {
      CronSchedules.check(schedule.cron());
    }
    for (Parameter<?> p : flow.parameters()) {
      if (p.required()) {
        throw new RegistrationException(
            "flow '"
                + flow.name()
                + "' has a schedule ("
                + schedule.describe()
                + ") but its parameter '"
                + p.name()
                + "' is required: scheduled runs pass no parameters, so give it a default value",
            null);
      }
    }
    return schedule;
  }

  /** The flow's run settings overridden by the registration's, refused here when malformed. */
  private static RunConfig runConfig(Flow flow, Registration registration) {
    Environment env = flow.environment();
    try {
      RunConfig config =
          RunConfig.of(env == null ? Map.of() : env.runSettings(), registration.runSettings());
      for (RunSettingValidator validator : RunSettingValidator.installed()) {
        config.settings().forEach(s -> validator.check(s.name(), s.value()));
      }
      return config;
    } catch (IllegalArgumentException e) {
      throw new RegistrationException("flow '" + flow.name() + "': " + e.getMessage(), e);
    }
  }

  private static Storage chooseStorage(Registration registration, Flow flow) {
    if (registration.storage() != null) {
      return registration.storage();
    }
    if (registration.format() == BundleFormat.module) {
      return Module.factory(registration.factory());
    }
    return flow.storage() != null ? flow.storage() : Local.defaults();
  }

  private static BundleFormat chooseFormat(Registration registration, Storage storage) {
    if (storage.format() == Storage.Format.MODULE) {
      return BundleFormat.module;
    }
    if (registration.format() != null) {
      return registration.format();
    }
    return switch (storage.format()) {
      case SERIALIZED -> BundleFormat.serialized;
      case SOURCE -> BundleFormat.source;
      case MODULE -> BundleFormat.module;
    };
  }

  private BundleStorage storageFor(Storage storage) {
    return storages
        .forDescription(storage)
        .orElseThrow(
            () ->
                new RegistrationException(
                    "storage "
                        + storage.getClass().getSimpleName()
                        + " cannot be written by this Gantry version; use local storage or"
                        + " --storage module",
                    null))
        .open(storage, new StorageContext(home.flowsDir(), secretLookup()));
  }

  /** The local secrets as storages read them; an unreadable one fails with the vault's message. */
  private SecretLookup secretLookup() {
    if (secrets == null) {
      return SecretLookup.NONE;
    }
    return name -> {
      try {
        return secrets.find(name);
      } catch (SecretUnreadableException | MasterKeyException e) {
        throw new StorageException(e.getMessage(), e);
      }
    };
  }

  /** Loads the bundle exactly as a run will, so a flow that cannot load fails here, not later. */
  static void proveLoadable(
      String flowName, Path bundle, BundleFormat format, String digest, Path work)
      throws IOException {
    Path check = Files.createDirectories(work.resolve("check"));
    try (LoadedFlow loaded =
        BundleLoader.load(
            bundle,
            "the new bundle",
            flowName,
            format == BundleFormat.serialized ? digest : null,
            check)) {
      loaded.flow(); // loaded and deserialized under the run's filter
    }
  }

  private List<FlowLabel> labels(Flow flow, Storage storage, Registration registration) {
    Map<String, LabelSource> labels = new LinkedHashMap<>();
    flow.labels().forEach(l -> labels.putIfAbsent(l, LabelSource.flow));
    Environment env = flow.environment();
    if (env != null) {
      env.labels().forEach(l -> labels.putIfAbsent(l, LabelSource.environment));
    }
    if (registration.defaultLabels() && storage.defaultLabelsEnabled()) {
      storages.defaultLabels(storage).forEach(l -> labels.putIfAbsent(l, LabelSource.storage));
    }
    registration.labels().forEach(l -> labels.putIfAbsent(l, LabelSource.registration));
    List<FlowLabel> out = new ArrayList<>();
    labels.forEach((label, source) -> out.add(new FlowLabel(label, source)));
    return out;
  }

  private Set<String> secrets(Flow flow, Storage storage) {
    Set<String> secrets = new LinkedHashSet<>(flow.secrets());
    secrets.addAll(storages.secrets(storage));
    if (flow.environment() != null) {
      secrets.addAll(flow.environment().secrets());
    }
    return secrets;
  }

  private static List<ParameterSpec> parameters(Flow flow) {
    List<ParameterSpec> out = new ArrayList<>();
    for (Parameter<?> p : flow.parameters()) {
      out.add(
          new ParameterSpec(
              p.name(),
              p.typeName(),
              p.defaultValue() == null ? null : String.valueOf(p.defaultValue()),
              p.required()));
    }
    return out;
  }
}
