/**
 * The node's settings. {@link io.quiver.node.config.ConfigKey} is the one list of them (dotted name
 * in Qdrant's YAML layout, default, flag, meaning; the environment variable derives from the name):
 * the command line, {@code --help} and {@code bin/quiver node --help} all print from it. {@link
 * io.quiver.node.config.NodeConfig} resolves them once at start, default &lt; YAML file &lt;
 * environment &lt; flag, and refuses an unknown key or a bad value by name.
 */
package io.quiver.node.config;
