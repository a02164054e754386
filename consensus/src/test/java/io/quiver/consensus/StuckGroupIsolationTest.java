package io.quiver.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.consensus.raft.CallMatchingClientRpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group whose writes cannot finish must not stop the other groups of the same servers: on real
 * Ratis servers with Quiver's transport ({@link RaftNode#serverProperties}, {@link
 * RaftNode#clientProperties}), many writes to a group whose state machine does not apply stay
 * pending, and meanwhile a second group, replicated between the same two servers, still commits.
 *
 * <p>Why: Ratis' Netty server (3.2.1) handles a client request on its I/O thread and waits there
 * until the write is applied; with a few such writes every I/O thread of the server waits, and the
 * appends and votes of every other group on that server are no longer read. Across nodes this
 * closed a cycle: node 1's threads waited for writes that needed node 2's acknowledgement, whose
 * threads waited for writes that needed node 1's (JepsenShortIT's kill scenario: a shard without a
 * leader for good, and a node whose REST stopped answering once its Raft client's window of
 * outstanding requests was full). Quiver's transport is Ratis' gRPC one, which never waits on an
 * I/O thread.
 */
class StuckGroupIsolationTest {

  /** More writes than any server has I/O threads (Netty's default: twice the cores). */
  private static final int STUCK_WRITES = 4 * Runtime.getRuntime().availableProcessors() + 4;

  /** Applies nothing until released, then every entry in log order. */
  private static final class StuckStateMachine extends BaseStateMachine {
    final CountDownLatch release = new CountDownLatch(1);
    private final java.util.concurrent.ExecutorService applier =
        java.util.concurrent.Executors.newSingleThreadExecutor();

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            // (No applied index kept: Ratis advances it past this entry for the metadata entries
            // behind it.)
            return Message.valueOf("applied");
          },
          applier);
    }

    @Override
    public void close() throws IOException {
      super.close();
      applier.shutdownNow();
    }
  }

  /** Applies every entry at once. */
  private static final class PlainStateMachine extends BaseStateMachine {
    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
      updateLastAppliedTermIndex(trx.getLogEntry().getTerm(), trx.getLogEntry().getIndex());
      return CompletableFuture.completedFuture(Message.valueOf("applied"));
    }
  }

  @Test
  void aGroupWhoseWritesAreStuckDoesNotStopAnotherGroupOnTheSameServers(@TempDir Path dir)
      throws Exception {
    RaftPeer a = peer("a", TestNodes.freePort());
    RaftPeer b = peer("b", TestNodes.freePort());
    RaftGroup stuck = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), a);
    RaftGroup shared = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), a, b);
    StuckStateMachine stuckMachine = new StuckStateMachine();
    List<RaftClient> clients = new ArrayList<>();
    try (RaftServer serverA =
            server(
                a,
                dir,
                gid -> gid.equals(stuck.getGroupId()) ? stuckMachine : new PlainStateMachine());
        RaftServer serverB = server(b, dir, gid -> new PlainStateMachine())) {
      serverA.start();
      serverB.start();
      try (RaftClient admin = client(RaftGroup.valueOf(shared.getGroupId(), a), clients)) {
        assertTrue(admin.getGroupManagementApi(a.getId()).add(stuck).isSuccess());
        assertTrue(admin.getGroupManagementApi(a.getId()).add(shared).isSuccess());
        assertTrue(admin.getGroupManagementApi(b.getId()).add(shared).isSuccess());
      }
      assertEquals(
          "applied",
          write(client(shared, clients)).get(30, TimeUnit.SECONDS),
          "the shared group works before");

      // Each client its own connection, so the stuck writes land on every I/O thread of server a.
      List<CompletableFuture<String>> stuckWrites = new ArrayList<>();
      for (int i = 0; i < STUCK_WRITES; i++) {
        stuckWrites.add(write(client(stuck, clients)));
      }
      Thread.sleep(1000);
      assertFalse(
          stuckWrites.stream().anyMatch(CompletableFuture::isDone),
          "the stuck group applies nothing yet");

      for (int i = 0; i < 5; i++) {
        assertEquals(
            "applied",
            write(client(shared, clients)).get(10, TimeUnit.SECONDS),
            "a write to the shared group commits while the other group's writes wait (write "
                + i
                + ")");
      }

      stuckMachine.release.countDown();
      for (CompletableFuture<String> w : stuckWrites) {
        assertEquals(
            "applied", w.get(30, TimeUnit.SECONDS), "the stuck writes finish once released");
      }
    } finally {
      stuckMachine.release.countDown(); // else closing server a waits for its apply thread
      for (RaftClient c : clients) {
        c.close();
      }
    }
  }

  private static CompletableFuture<String> write(RaftClient client) {
    return client.async().send(Message.valueOf("w")).thenApply(StuckGroupIsolationTest::body);
  }

  private static String body(RaftClientReply reply) {
    return reply.getMessage().getContent().toString(StandardCharsets.UTF_8);
  }

  private static RaftServer server(
      RaftPeer self, Path dir, org.apache.ratis.statemachine.StateMachine.Registry machines)
      throws IOException {
    int port =
        Integer.parseInt(self.getAddress().substring(self.getAddress().lastIndexOf(':') + 1));
    RaftNodeConfig config =
        RaftNodeConfig.builder(1, dir.resolve(self.getId().toString()))
            .raftAddress("127.0.0.1", port)
            .httpAddress("127.0.0.1:1")
            .snapshotThreshold(1000)
            .logSegmentBytes(1 << 20)
            .build();
    return RaftServer.newBuilder()
        .setServerId(self.getId())
        .setProperties(RaftNode.serverProperties(config))
        .setStateMachineRegistry(machines)
        .build();
  }

  private static RaftClient client(RaftGroup group, List<RaftClient> clients) {
    RaftClient client =
        CallMatchingClientRpc.newClientBuilder(
                org.apache.ratis.protocol.ClientId.randomId(),
                RaftNode.clientProperties(TimeDuration.valueOf(3, TimeUnit.SECONDS)),
                null)
            .setRaftGroup(group)
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    100, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
            .build();
    clients.add(client);
    return client;
  }

  private static RaftPeer peer(String id, int port) {
    return RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:" + port).build();
  }
}
