/**
 * The node process: {@link io.quiver.node.QuiverNode} reads the configuration ({@code
 * io.quiver.node.config}, the flags of {@link io.quiver.node.CommandLine}), checks that its ports
 * are free ({@link io.quiver.node.PortCheck}), loads or creates the node's id ({@link
 * io.quiver.node.NodeIdentity}), and wires the modules together: the Raft side from {@code
 * consensus}, the {@code router}, and the REST API ({@code io.quiver.node.http} and {@code
 * io.quiver.node.api}) with its security, metrics and logging; it stops cleanly on SIGTERM. This is
 * the only module that knows every other one; {@code bin/quiver node} runs it.
 */
package io.quiver.node;
