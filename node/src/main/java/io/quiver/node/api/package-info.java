/**
 * The Qdrant-compatible REST API: one handler class per group of endpoints ({@link
 * io.quiver.node.api.CollectionsApi}, {@link io.quiver.node.api.PointsApi}, {@link
 * io.quiver.node.api.QueryApi}, {@link io.quiver.node.api.ClusterApi}, {@link
 * io.quiver.node.api.SnapshotsApi}, ...) and the conversions between Qdrant's JSON shapes and the
 * internal types ({@code *Json} classes: {@link io.quiver.node.api.PointJson}, {@link
 * io.quiver.node.api.QueryJson}, {@link io.quiver.node.api.CollectionJson}, ...). Conversion
 * happens here and only here: a bad body is a 400 whose message names the field by its JSON path
 * before anything is sent to a shard, and the modules below never see Jackson DTOs. Request-wide
 * rules that apply before a handler runs also live here: {@link io.quiver.node.api.RequestLimits},
 * strict mode ({@link io.quiver.node.api.StrictModeGuard}), and the {@code consistency} and {@code
 * timeout} query parameters.
 */
package io.quiver.node.api;
