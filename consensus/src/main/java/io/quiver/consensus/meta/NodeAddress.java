package io.quiver.consensus.meta;

import java.util.Objects;

/**
 * Where a node listens: its Raft address ({@code host:port}) and its REST address ({@code
 * host:port}).
 */
public record NodeAddress(String raftAddress, String httpAddress) {
  public NodeAddress {
    Objects.requireNonNull(raftAddress, "raftAddress");
    Objects.requireNonNull(httpAddress, "httpAddress");
  }
}
