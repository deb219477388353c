package dev.gantry.docker.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test needs a Docker engine. Without one it is skipped on a developer's machine, and fails in
 * CI (environment CI=true), where a missing engine is a broken build, not a reason to skip.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(DockerEngineCondition.class)
public @interface RequiresDocker {}
