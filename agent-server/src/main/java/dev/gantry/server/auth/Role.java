package dev.gantry.server.auth;

import io.javalin.security.RouteRole;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a token may do, each role including the ones before it: a viewer reads everything but secret
 * values; an operator also creates and cancels runs and pauses schedules; a deployer also registers
 * flows; an admin also manages secrets, tokens and agents.
 */
public enum Role implements RouteRole {
  VIEWER,
  OPERATOR,
  DEPLOYER,
  ADMIN;

  /** Whether this role may call a route that needs {@code required}. */
  public boolean includes(Role required) {
    return compareTo(required) >= 0;
  }

  /** The name used in commands, tokens and JSON: {@code viewer}, {@code operator}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the roles when {@code key} is none of them
   */
  public static Role parse(String key) {
    for (Role role : values()) {
      if (role.key().equals(key)) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '"
            + key
            + "'; use one of "
            + Arrays.stream(values()).map(Role::key).collect(Collectors.joining(", ")));
  }
}
