package dev.gantry.catalog;

/** A label of a registered flow and where it came from. */
public record FlowLabel(String label, LabelSource source) {}
