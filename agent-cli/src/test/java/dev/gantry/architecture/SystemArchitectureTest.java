package dev.gantry.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The boundaries that span modules, checked over every module's main classes together (this is the
 * one module whose class path holds them all). agent-core's own rules are in its ArchitectureTest.
 */
@AnalyzeClasses(
    packages = "dev.gantry",
    importOptions = {ImportOption.DoNotIncludeTests.class, SystemArchitectureTest.NoTestJars.class})
class SystemArchitectureTest {

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
  static final ArchRule packagesAreFreeOfCycles =
      slices()
          .matching("dev.gantry.(**)")
          .should()
          .beFreeOfCycles()
          .because("the packages are the run's path: each depends only on the steps before it");

  @ArchTest
  static final ArchRule onlyTheCommandLineKnowsPicocli =
      noClasses()
          .that()
          .resideOutsideOfPackages("dev.gantry.cli..", "dev.gantry.process..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("picocli..", "dev.gantry.cli..")
          .because("launchers, the agent and the backend are used without a command line too");

  @ArchTest
  static final ArchRule theLaunchersDoNotKnowEachOther =
      noClasses()
          .that()
          .resideInAPackage("dev.gantry.docker..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.gantry.kubernetes..", "io.fabric8..")
          .because("each platform is one adapter over the Launcher SPI");

  @ArchTest
  static final ArchRule kubernetesDoesNotKnowDocker =
      noClasses()
          .that()
          .resideInAPackage("dev.gantry.kubernetes..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.gantry.docker..", "com.github.dockerjava..")
          .because("each platform is one adapter over the Launcher SPI");
}
