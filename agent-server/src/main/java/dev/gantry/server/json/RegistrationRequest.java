package dev.gantry.server.json;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.FlowSchedule;
import dev.gantry.catalog.RunPolicy;
import dev.gantry.flow.storage.AzureBlob;
import dev.gantry.flow.storage.Gcs;
import dev.gantry.flow.storage.Http;
import dev.gantry.flow.storage.Local;
import dev.gantry.flow.storage.Maven;
import dev.gantry.flow.storage.Module;
import dev.gantry.flow.storage.OciImage;
import dev.gantry.flow.storage.S3;
import dev.gantry.flow.storage.Storage;
import dev.gantry.registration.Registration;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON part of {@code POST /api/v1/flows}: a {@link Registration} without its jars, which
 * travel beside it as the multipart request's {@code jar} parts, the factory's jar first; or
 * without its prebuilt bundle, which travels as the one {@code bundle} part (then {@code factory}
 * and {@code format} are left out: the bundle's manifest names them). The remote CLI writes it and
 * the server reads it with the same {@link Json} mapper.
 *
 * @param storage null to keep the flow's own storage; otherwise tagged by {@code kind}
 * @param defaultLabels null means true
 * @param policy null means {@link RunPolicy#DEFAULT}
 * @param runConfig the registration's run settings by name (null: none), e.g. memory=2g
 */
public record RegistrationRequest(
    String factory,
    BundleFormat format,
    Storage storage,
    Set<String> labels,
    Boolean defaultLabels,
    RunPolicy policy,
    FlowSchedule schedule,
    Map<String, String> runConfig) {

  /** The part of the request that holds this JSON. */
  public static final String PART = "registration";

  /** The name of the parts that hold the jars, in order. */
  public static final String JAR_PART = "jar";

  /** The name of the part that holds a prebuilt bundle, instead of jar parts. */
  public static final String BUNDLE_PART = "bundle";

  public static RegistrationRequest of(Registration registration) {
    return new RegistrationRequest(
        registration.factory(),
        registration.format(),
        registration.storage(),
        registration.labels(),
        registration.defaultLabels(),
        registration.policy(),
        registration.schedule(),
        registration.runSettings());
  }

  /**
   * The registration these settings describe, with the jars the request carried.
   *
   * @throws IllegalArgumentException naming the field at fault
   */
  public Registration toRegistration(List<Path> jars) {
    if (factory == null || factory.isBlank()) {
      throw new IllegalArgumentException(
          "the registration has no factory; give one such as com.acme.Flows#etl");
    }
    return new Registration(
            jars,
            factory,
            format,
            storage,
            labels == null ? Set.of() : labels,
            defaultLabels == null || defaultLabels,
            policy == null ? RunPolicy.DEFAULT : policy,
            schedule)
        .withRunConfig(runConfig == null ? Map.of() : runConfig);
  }

  /**
   * The registration of the prebuilt bundle the request carried, written to {@code bundle}.
   *
   * @throws IllegalArgumentException naming the field at fault
   */
  public Registration toBundleRegistration(Path bundle) {
    if (factory != null) {
      throw new IllegalArgumentException(
          "the registration has a factory but the upload carries a bundle, whose manifest names"
              + " its factory; leave factory out");
    }
    if (format != null) {
      throw new IllegalArgumentException(
          "the registration has a format but the upload carries a bundle, whose format is fixed"
              + " when it is built; leave format out");
    }
    Registration registration =
        Registration.ofBundle(bundle)
            .withStorage(storage)
            .withLabels(labels == null ? Set.of() : labels)
            .withPolicy(policy == null ? RunPolicy.DEFAULT : policy)
            .withSchedule(schedule)
            .withRunConfig(runConfig == null ? Map.of() : runConfig);
    return defaultLabels == null || defaultLabels
        ? registration
        : registration.withoutDefaultLabels();
  }

  /**
   * How a {@link Storage} travels: its record's fields plus {@code kind}. The SDK stays free of
   * Jackson, so the tags are attached here as a mix-in.
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Local.class, name = "local"),
    @JsonSubTypes.Type(value = S3.class, name = "s3"),
    @JsonSubTypes.Type(value = Module.class, name = "module"),
    @JsonSubTypes.Type(value = Maven.class, name = "maven"),
    @JsonSubTypes.Type(value = Http.class, name = "http"),
    @JsonSubTypes.Type(value = Gcs.class, name = "gcs"),
    @JsonSubTypes.Type(value = AzureBlob.class, name = "azblob"),
    @JsonSubTypes.Type(value = OciImage.class, name = "image")
  })
  interface StorageKinds {}
}
