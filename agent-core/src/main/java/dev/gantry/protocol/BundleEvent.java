package dev.gantry.protocol;

import java.time.Instant;

/**
 * {@code bundle}: the bundle this attempt runs, once the bootstrap fetched and verified it, before
 * any task starts. Agents that predate it store the line as a log record, as any unknown event.
 *
 * @param sha256 the SHA-256 of the fetched bundle file; for a Maven flow, of its main artifact; ""
 *     when the line had none
 * @param build what the storage resolved, when it resolves anew at every run (a Maven snapshot's
 *     {@code GROUP:ARTIFACT:VERSION} with its timestamped version), else null
 */
public record BundleEvent(Instant at, String sha256, String build) implements ProtocolEvent {}
