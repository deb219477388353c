package dev.gantry.server.auth;

/** Who makes a request: the name and role of the token it carries. */
public record Principal(String tokenName, Role role) {}
