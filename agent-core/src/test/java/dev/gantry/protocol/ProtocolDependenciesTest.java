package dev.gantry.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The protocol's writing side stays free of JSON libraries: the bootstrap loads it at start. */
@AnalyzeClasses(packages = "dev.gantry", importOptions = ImportOption.DoNotIncludeTests.class)
class ProtocolDependenciesTest {

  @ArchTest
  static final ArchRule onlyTheParserUsesJackson =
      noClasses()
          .that()
          .resideInAPackage("dev.gantry.protocol..")
          .and()
          .doNotHaveFullyQualifiedName(ProtocolParser.class.getName())
          .should()
          .dependOnClassesThat()
          .resideInAPackage("com.fasterxml..")
          .because("the bootstrap writes protocol lines and its start time is every run's latency");

  @ArchTest
  static final ArchRule theProtocolDependsOnNoOtherPartOfGantry =
      noClasses()
          .that()
          .resideInAPackage("dev.gantry.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.gantry.agent..",
              "dev.gantry.bootstrap..",
              "dev.gantry.backend..",
              "dev.gantry.launch..",
              "dev.gantry.supervision..")
          .because("both sides of the protocol depend on it, not it on them");
}
