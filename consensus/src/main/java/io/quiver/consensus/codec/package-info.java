/**
 * The binary forms of storage values inside the meta and shard logs: points and vectors ({@link
 * io.quiver.consensus.codec.PointCodec}), point operations, scoring requests, ordering, strict-mode
 * settings, and the versioned {@link io.quiver.consensus.codec.Envelope} every message starts with.
 * They are on-disk formats: layouts are only appended to, and a new layout gets a new version. The
 * filter codec stays beside the filter AST in {@code io.quiver.storage.filter} (see {@code
 * FilterCodec}).
 */
package io.quiver.consensus.codec;
