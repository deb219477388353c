package dev.gantry.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The module and package boundaries of DESIGN.md, kept by the build. */
@AnalyzeClasses(
    packages = "dev.gantry",
    importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

  /**
   * Leaves out the other modules' test jars (fixtures such as the pod simulator): once the reactor
   * has packaged a module, its classes arrive as jars, which DoNotIncludeTests does not recognise.
   */
  static final class NoTestJars implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("-tests.jar");
    }
  }

  @ArchTest
  static final ArchRule coreNeverImportsAPlatformLibrary =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "com.github.dockerjava..",
              "io.fabric8..",
              "org.testcontainers..",
              "io.javalin..",
              "org.eclipse.jetty..",
              "com.sun.net.httpserver..")
          .because(
              "agent-core owns the Launcher SPI and the application API; Docker, Kubernetes and"
                  + " HTTP serving live in adapters and agent-cli");

  @ArchTest
  static final ArchRule theSdkDependsOnNothingOfOurs =
      noClasses()
          .that()
          .resideInAPackage("dev.gantry.flow..")
          .should()
          .dependOnClassesThat()
          .resideOutsideOfPackages("dev.gantry.flow..", "java..", "org.slf4j..")
          .because("user jars compile against the SDK alone and it sits on their parent loader");

  @ArchTest
  static final ArchRule coreHasNoCommandLine =
      noClasses()
          .should()
          .resideInAPackage("dev.gantry.cli..")
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage("picocli..", "dev.gantry.cli..", "dev.gantry.process..")
          .because(
              "the CLI and the process wiring live in agent-cli, over the client and the agent");

  @ArchTest
  static final ArchRule theDomainKnowsNoDatabase =
      noClasses()
          .that()
          .resideInAnyPackage("dev.gantry.domain..", "dev.gantry.catalog..", "dev.gantry.explain..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("java.sql..", "dev.gantry.backend..", "org.flywaydb..")
          .because("runs, flows and agents are plain values");

  @ArchTest
  static final ArchRule theBootstrapNeverTouchesTheBackend =
      noClasses()
          .that()
          .resideInAPackage("dev.gantry.bootstrap..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.gantry.backend..", "java.sql..")
          .because("a run's container never receives database credentials");

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices()
          .matching("dev.gantry.(**)")
          .should()
          .beFreeOfCycles()
          .because("the packages are the run's path: each depends only on the steps before it");
}
