package io.quiver.storage;

import java.util.Map;

/**
 * A stored point as read back: payload and vectors are null when the caller did not ask for them.
 * {@code version} is the Raft log index of the write that produced this copy.
 */
public record PointRecord(PointId id, long version, Payload payload, Map<String, float[]> vectors) {}
