/**
 * The node's log output (logback): {@link io.quiver.node.logging.LogFormat} switches it to JSON
 * lines ({@code log.format: json}) written by {@link io.quiver.node.logging.JsonLineLayout}, whose
 * {@code collection}, {@code shard} and {@code group} fields come from the MDC or from a Raft group
 * id in the message ({@link io.quiver.node.logging.LogGroupNames}); {@link
 * io.quiver.node.logging.RepeatedWarningFilter} lets a repeated warning through once, then at most
 * once a minute with a count, so a down peer cannot fill a disk.
 */
package io.quiver.node.logging;
