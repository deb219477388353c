package dev.gantry.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The agent's layers: agent -> dispatch -> supervision, never back. */
@AnalyzeClasses(
    packages = {"dev.gantry.agent", "dev.gantry.dispatch", "dev.gantry.supervision"},
    importOptions = ImportOption.DoNotIncludeTests.class)
class AgentLayersTest {

  @ArchTest
  static final ArchRule supervisionKnowsNeitherDispatchNorTheAgent =
      noClasses()
          .that()
          .resideInAPackage("dev.gantry.supervision..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.gantry.dispatch..", "dev.gantry.agent..")
          .because("supervision is what dispatch hands runs to");

  @ArchTest
  static final ArchRule dispatchDoesNotKnowTheAgent =
      noClasses()
          .that()
          .resideInAPackage("dev.gantry.dispatch..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.gantry.agent..")
          .because("the agent wires the claim loop, not the other way round");
}
