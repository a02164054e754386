package io.quiver.consensus.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.index.vector.Distance;
import io.quiver.sharding.AliasAction;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.Resharding;
import io.quiver.storage.VectorParams;
import io.quiver.storage.VectorsConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: the meta group's rules as the pure function {@link ClusterState#apply}, without Ratis:
 * command sequences over node registration, collections (create, update, delete, vector names),
 * aliases, shard replicas and witnesses, node removal, draining and resharding. Each refusal has
 * its typed outcome (fault, status, subject, name) and leaves the state as it was but for the
 * applied index. Oracle: the rules as the REST API documents them (409 for an existing collection,
 * 404 naming the missing collection, alias or peer, 400 for bad input) and the states written out
 * by hand.
 */
@Timeout(30)
class ClusterStateTest {

  private static final CollectionConfig CONFIG =
      new CollectionConfig(
          VectorsConfig.single(new VectorParams(4, Distance.COSINE, false)), 2, 1, 1);

  /**
   * Applies commands in order, each at the index after the state's (from 0 on the empty state); the
   * last result.
   */
  private static ClusterState.Applied run(ClusterState state, MetaCommand... commands) {
    ClusterState.Applied last = new ClusterState.Applied(state, MetaOutcome.APPLIED);
    for (MetaCommand command : commands) {
      last = last.state().apply(last.state().appliedIndex() + 1, command);
    }
    return last;
  }

  private static ClusterState nodes(long... ids) {
    ClusterState state = ClusterState.EMPTY;
    for (long id : ids) {
      ClusterState.Applied applied =
          run(
              state,
              new MetaCommand.RegisterNode(id, new NodeAddress("h:" + id, "h:" + (id + 100))));
      assertTrue(applied.outcome().applied());
      state = applied.state();
    }
    return state;
  }

  private static ClusterState withCollection(String name, long... nodes) {
    ClusterState.Applied created =
        run(nodes(nodes), new MetaCommand.CreateCollection(name, CONFIG));
    assertEquals(MetaOutcome.APPLIED, created.outcome());
    return created.state();
  }

  /** Applies one command that must be refused: the state stays, but for the index. */
  private static MetaOutcome refused(ClusterState before, MetaCommand command) {
    ClusterState.Applied applied = before.apply(before.appliedIndex() + 1, command);
    assertFalse(applied.outcome().applied(), command + " was applied");
    assertEquals(MetaOutcome.Fault.USER, applied.outcome().fault());
    assertEquals(
        before.atIndex(before.appliedIndex() + 1),
        applied.state(),
        "a refused command changes nothing");
    return applied.outcome();
  }

  private static void assertOutcome(
      MetaOutcome.Status status, MetaOutcome.Subject subject, String name, MetaOutcome outcome) {
    assertEquals(status, outcome.status(), outcome.message());
    assertEquals(subject, outcome.subject(), outcome.message());
    assertEquals(name, outcome.name(), outcome.message());
  }

  @Test
  void registeringANodeAddsOrUpdatesItsAddress() {
    ClusterState state = nodes(1, 2);
    assertEquals(List.of(1L, 2L), List.copyOf(state.nodes().keySet()));
    assertEquals(1, state.appliedIndex());
    ClusterState moved =
        run(state, new MetaCommand.RegisterNode(2, new NodeAddress("x:1", "x:2"))).state();
    assertEquals(new NodeAddress("x:1", "x:2"), moved.nodes().get(2L));
    assertEquals(2, moved.nodes().size());
  }

  @Test
  void aCreatePlacesTheShardsAndASecondCreateIsAlreadyExists() {
    ClusterState state = withCollection("c", 1, 2);
    var c = state.collections().get("c");
    assertEquals(2, c.shardMap().shardCount());
    assertEquals(2, c.shardMap().epoch(), "the map's epoch is the create's log index");
    assertEquals(List.of(1L), c.shardMap().shard(0).replicas());
    assertEquals(List.of(2L), c.shardMap().shard(1).replicas());

    MetaOutcome again = refused(state, new MetaCommand.CreateCollection("c", CONFIG));
    assertOutcome(MetaOutcome.Status.ALREADY_EXISTS, MetaOutcome.Subject.COLLECTION, "c", again);
  }

  @Test
  void aCreateRefusesTheNameOfAnAliasAndABadConfig() {
    ClusterState state =
        run(
                withCollection("c", 1),
                new MetaCommand.UpdateAliases(List.of(new AliasAction.Create("a", "c"))))
            .state();
    MetaOutcome clash = refused(state, new MetaCommand.CreateCollection("a", CONFIG));
    assertOutcome(MetaOutcome.Status.BAD_REQUEST, MetaOutcome.Subject.NONE, "", clash);
    assertTrue(clash.message().contains("an alias with the same name exists"), clash.message());

    CollectionConfig tooManyReplicas = new CollectionConfig(CONFIG.vectors(), 1, 3, 1);
    MetaOutcome planner = refused(state, new MetaCommand.CreateCollection("d", tooManyReplicas));
    assertEquals(MetaOutcome.Status.BAD_REQUEST, planner.status(), planner.message());
  }

  @Test
  void anUpdateKeepsTheShapeAndTheShardMap() {
    ClusterState state = withCollection("c", 1, 2);
    CollectionConfig twoReplicas = new CollectionConfig(CONFIG.vectors(), 2, 2, 1);
    ClusterState.Applied updated = run(state, new MetaCommand.UpdateCollection("c", twoReplicas));
    assertEquals(MetaOutcome.APPLIED, updated.outcome());
    assertEquals(2, updated.state().collections().get("c").config().replicationFactor());
    assertEquals(
        state.collections().get("c").shardMap(),
        updated.state().collections().get("c").shardMap(),
        "the replicas follow later, through replica changes");

    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.COLLECTION,
        "x",
        refused(state, new MetaCommand.UpdateCollection("x", CONFIG)));
    CollectionConfig otherSize =
        new CollectionConfig(
            VectorsConfig.single(new VectorParams(8, Distance.COSINE, false)), 2, 1, 1);
    assertOutcome(
        MetaOutcome.Status.BAD_REQUEST,
        MetaOutcome.Subject.NONE,
        "",
        refused(state, new MetaCommand.UpdateCollection("c", otherSize)));
    CollectionConfig threeReplicas = new CollectionConfig(CONFIG.vectors(), 2, 3, 1);
    MetaOutcome tooMany = refused(state, new MetaCommand.UpdateCollection("c", threeReplicas));
    assertTrue(tooMany.message().contains("`params.replication_factor` 3"), tooMany.message());
  }

  @Test
  void aVectorNameChangeNeedsTheCollection() {
    ClusterState state = withCollection("c", 1);
    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.COLLECTION,
        "x",
        refused(state, new MetaCommand.ChangeVectorName("x", "v", null)));
  }

  @Test
  void aDeleteTakesTheAliasesAndADeleteOfNothingIsNotFound() {
    ClusterState state =
        run(
                withCollection("c", 1),
                new MetaCommand.UpdateAliases(List.of(new AliasAction.Create("a", "c"))))
            .state();
    ClusterState.Applied deleted = run(state, new MetaCommand.DeleteCollection("c"));
    assertEquals(MetaOutcome.APPLIED, deleted.outcome());
    assertTrue(deleted.state().collections().isEmpty());
    assertTrue(
        deleted.state().aliases().isEmpty(), "a deleted collection takes its aliases with it");

    MetaOutcome nothing = refused(deleted.state(), new MetaCommand.DeleteCollection("c"));
    assertOutcome(MetaOutcome.Status.NOT_FOUND, MetaOutcome.Subject.COLLECTION, "c", nothing);
  }

  @Test
  void aliasChangesApplyInOrderAllOrNothing() {
    ClusterState state = withCollection("c", 1);
    ClusterState.Applied renamed =
        run(
            state,
            new MetaCommand.UpdateAliases(
                List.of(new AliasAction.Create("a", "c"), new AliasAction.Rename("a", "b"))));
    assertEquals(MetaOutcome.APPLIED, renamed.outcome());
    assertEquals(new TreeMap<>(Map.of("b", "c")), renamed.state().aliases());
    assertEquals("c", renamed.state().resolve("b").name());

    MetaOutcome missingCollection =
        refused(
            renamed.state(),
            new MetaCommand.UpdateAliases(
                List.of(new AliasAction.Delete("b"), new AliasAction.Create("z", "nope"))));
    assertOutcome(
        MetaOutcome.Status.NOT_FOUND, MetaOutcome.Subject.COLLECTION, "nope", missingCollection);
    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.ALIAS,
        "a",
        refused(
            renamed.state(), new MetaCommand.UpdateAliases(List.of(new AliasAction.Delete("a")))));
    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.ALIAS,
        "q",
        refused(
            renamed.state(),
            new MetaCommand.UpdateAliases(List.of(new AliasAction.Rename("q", "r")))));
    assertOutcome(
        MetaOutcome.Status.BAD_REQUEST,
        MetaOutcome.Subject.NONE,
        "",
        refused(
            renamed.state(),
            new MetaCommand.UpdateAliases(List.of(new AliasAction.Create("c", "c")))));
  }

  @Test
  void replicaAndWitnessChangesAreCheckedAgainstTheCluster() {
    ClusterState state = withCollection("c", 1, 2, 3);
    ClusterState.Applied moved =
        run(state, new MetaCommand.SetShardReplicas("c", 0, List.of(2L, 3L)));
    assertEquals(MetaOutcome.APPLIED, moved.outcome());
    assertEquals(
        List.of(2L, 3L), moved.state().collections().get("c").shardMap().shard(0).replicas());
    assertEquals(
        moved.state().appliedIndex(), moved.state().collections().get("c").shardMap().epoch());

    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.COLLECTION,
        "x",
        refused(state, new MetaCommand.SetShardReplicas("x", 0, List.of(1L))));
    for (MetaCommand bad :
        List.<MetaCommand>of(
            new MetaCommand.SetShardReplicas("c", 2, List.of(1L)),
            new MetaCommand.SetShardReplicas("c", 0, List.of()),
            new MetaCommand.SetShardReplicas("c", 0, List.of(1L, 1L)),
            new MetaCommand.SetShardReplicas("c", 0, List.of(9L)))) {
      assertOutcome(
          MetaOutcome.Status.BAD_REQUEST, MetaOutcome.Subject.NONE, "", refused(state, bad));
    }

    ClusterState witnessed =
        run(state, new MetaCommand.SetShardWitnesses("c", 0, List.of(3L))).state();
    assertEquals(List.of(3L), witnessed.collections().get("c").shardMap().shard(0).witnesses());
    MetaOutcome replicaOnWitness =
        refused(witnessed, new MetaCommand.SetShardReplicas("c", 0, List.of(1L, 3L)));
    assertTrue(
        replicaOnWitness.message().contains("holds the witness"), replicaOnWitness.message());
    assertOutcome(
        MetaOutcome.Status.BAD_REQUEST,
        MetaOutcome.Subject.NONE,
        "",
        refused(state, new MetaCommand.SetShardWitnesses("c", 0, List.of(1L))));
    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.COLLECTION,
        "x",
        refused(state, new MetaCommand.SetShardWitnesses("x", 0, List.of(1L))));
  }

  @Test
  void aNodeWithReplicasIsRemovedOnlyByForce() {
    ClusterState state = withCollection("c", 1, 2);
    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.PEER,
        "9",
        refused(state, new MetaCommand.RemoveNode(9)));
    MetaOutcome holds = refused(state, new MetaCommand.RemoveNode(2));
    assertOutcome(MetaOutcome.Status.CONFLICT, MetaOutcome.Subject.NONE, "", holds);
    assertTrue(holds.message().contains("holds the only copy of shards c/1"), holds.message());

    ClusterState.Applied forced = run(state, new MetaCommand.RemoveNode(2, true));
    assertEquals(MetaOutcome.APPLIED, forced.outcome());
    assertEquals(List.of(1L), List.copyOf(forced.state().nodes().keySet()));
    assertEquals(
        List.of(1L),
        forced.state().collections().get("c").shardMap().shard(1).replicas(),
        "the shard whose only copy it held starts again on the remaining node");

    ClusterState idle = nodes(1, 2);
    assertEquals(
        List.of(1L),
        List.copyOf(run(idle, new MetaCommand.RemoveNode(2)).state().nodes().keySet()));
  }

  @Test
  void drainingNeedsAnotherNodeForTheOnlyCopies() {
    ClusterState alone = withCollection("c", 1);
    assertOutcome(
        MetaOutcome.Status.CONFLICT,
        MetaOutcome.Subject.NONE,
        "",
        refused(alone, new MetaCommand.SetDraining(1, true)));
    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.PEER,
        "7",
        refused(alone, new MetaCommand.SetDraining(7, true)));

    ClusterState two =
        run(alone, new MetaCommand.RegisterNode(2, new NodeAddress("h:2", "h:102"))).state();
    ClusterState draining = run(two, new MetaCommand.SetDraining(1, true)).state();
    assertEquals(List.of(1L), List.copyOf(draining.draining()));
    assertEquals(List.of(2L), draining.eligibleNodes());
    ClusterState back = run(draining, new MetaCommand.SetDraining(1, false)).state();
    assertTrue(back.draining().isEmpty());

    assertTrue(run(back, new MetaCommand.SetRebalancing(true)).state().rebalancing());
  }

  @Test
  void reshardingStepsGoThroughTheStateMachineRules() {
    ClusterState state = withCollection("c", 1, 2);
    assertOutcome(
        MetaOutcome.Status.NOT_FOUND,
        MetaOutcome.Subject.COLLECTION,
        "x",
        refused(state, new MetaCommand.StartResharding("x", Resharding.Direction.UP, null)));
    ClusterState started =
        run(state, new MetaCommand.StartResharding("c", Resharding.Direction.UP, null)).state();
    assertEquals(3, started.collections().get("c").shardMap().shardCount());
    assertOutcome(
        MetaOutcome.Status.CONFLICT,
        MetaOutcome.Subject.NONE,
        "",
        refused(
            started,
            new MetaCommand.ReshardingStep(
                "c", Resharding.Phase.SYNCING, Resharding.Phase.CLEANUP)));
    ClusterState ended =
        run(
                started,
                new MetaCommand.ReshardingStep(
                    "c", Resharding.Phase.COPYING, Resharding.Phase.SYNCING),
                new MetaCommand.ReshardingStep(
                    "c", Resharding.Phase.SYNCING, Resharding.Phase.CLEANUP),
                new MetaCommand.ReshardingStep("c", Resharding.Phase.CLEANUP, null))
            .state();
    assertEquals(3, ended.collections().get("c").config().shardNumber());
    assertEquals(null, ended.collections().get("c").shardMap().resharding());
  }

  @Test
  void theSameCommandsGiveTheSameStateAndOutcomes() {
    MetaCommand[] commands = {
      new MetaCommand.RegisterNode(1, new NodeAddress("h:1", "h:2")),
      new MetaCommand.RegisterNode(2, new NodeAddress("h:3", "h:4")),
      new MetaCommand.CreateCollection("c", CONFIG),
      new MetaCommand.CreateCollection("c", CONFIG),
      new MetaCommand.UpdateAliases(List.of(new AliasAction.Create("a", "c"))),
      new MetaCommand.SetShardReplicas("c", 0, List.of(1L, 2L)),
      new MetaCommand.SetDraining(2, true),
    };
    assertEquals(run(ClusterState.EMPTY, commands), run(ClusterState.EMPTY, commands));
  }
}
