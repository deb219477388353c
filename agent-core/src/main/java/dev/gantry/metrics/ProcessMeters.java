package dev.gantry.metrics;

import dev.gantry.flow.GantryVersion;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/** The meters every Gantry process has: JVM, process and {@code gantry_build_info}. */
public final class ProcessMeters {
  private ProcessMeters() {}

  /**
   * Binds the JVM and process meters and the build info to {@code registry}.
   *
   * @param component what the process is (agent, server), a label of the build info
   */
  @SuppressWarnings("resource") // the GC meters live as long as the registry, the process
  public static void bind(MeterRegistry registry, String component) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("gantry.build.info", () -> 1)
        .description("Always 1; its labels say which Gantry this is")
        .tags("version", version(), "component", component, "java", Runtime.version().toString())
        .register(registry);
  }

  /** The version every bundle records (the jar's manifest has none, so it read "dev"). */
  private static String version() {
    return GantryVersion.current();
  }
}
