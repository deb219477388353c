package dev.gantry.catalog;

/**
 * A flow parameter as recorded at registration, so runs can be validated without loading the
 * bundle.
 *
 * @param type the simple type name, as {@link dev.gantry.flow.Parameter#typeName()} gives it
 * @param defaultValue the default rendered as text, or null when required
 */
public record ParameterSpec(String name, String type, String defaultValue, boolean required) {}
