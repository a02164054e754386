package io.quiver.consensus.meta;

import io.quiver.consensus.codec.Envelope;
import io.quiver.consensus.codec.PointCodec;
import io.quiver.consensus.codec.StrictModeConfigCodec;
import io.quiver.sharding.AliasAction;
import io.quiver.sharding.CollectionConfig;
import io.quiver.sharding.CollectionDescriptor;
import io.quiver.sharding.Resharding;
import io.quiver.sharding.ShardMap;
import io.quiver.sharding.ShardPlacement;
import io.quiver.storage.ShardConfig;
import io.quiver.storage.ShardConfigCodec;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The log, reply and snapshot formats of the meta group.
 *
 * <pre>
 * command:  magic "QMC1" | version 1 or 2 (2: a collection config ends with its strict mode) | type (1 register node, 2 create, 3 delete, 4 set shard replicas, 5 remove node,
 *           6 aliases, 7 update collection, 8 set draining, 9 set rebalancing, 10 remove node by force,
 *           11 change a vector name, 12 set shard witnesses) | body
 * reply:    magic "QMR1" | version 1 | status (0 ok, 1 bad request, 2 not found, 3 conflict or already exists)
 *           | ok: log index (long) | else: message | since typed outcomes (MetaOutcome), a trailer that earlier
 *           builds do not read: fault | status | subject (ordinals of MetaOutcome's enums) | subject name
 * snapshot: magic "QMS1" | version 2 to 6 | applied index | nodes | collections (4: each config ends with its strict
 *           mode, StrictModeConfigCodec; 5: each shard's replicas are followed by its witnesses; 6: each
 *           collection's hashing and resharding follow its shards) | aliases | (3:) draining
 *           nodes | rebalancing
 * </pre>
 */
public final class MetaMessages {

  static final int COMMAND_MAGIC = 0x514d4331; // "QMC1"
  static final int REPLY_MAGIC = 0x514d5231; // "QMR1"
  static final int SNAPSHOT_MAGIC = 0x514d5331; // "QMS1"
  static final int VERSION = 1;

  /**
   * Commands since resharding: version 3 (a create names its point hashing; resharding commands).
   * Version 2 (strict mode) and 1 are still read.
   */
  static final int COMMAND_VERSION = 3;

  private static final byte REGISTER_NODE = 1;
  private static final byte CREATE_COLLECTION = 2;
  private static final byte DELETE_COLLECTION = 3;
  private static final byte SET_SHARD_REPLICAS = 4;
  private static final byte REMOVE_NODE = 5;
  private static final byte UPDATE_ALIASES = 6;
  private static final byte UPDATE_COLLECTION = 7;
  private static final byte SET_DRAINING = 8;
  private static final byte SET_REBALANCING = 9;
  private static final byte REMOVE_NODE_FORCED = 10;

  /**
   * collection | vector name | has config | vectors config holding only that name
   * (VectorsConfigCodec)
   */
  private static final byte CHANGE_VECTOR_NAME = 11;

  /** collection | shard | witness count | witness node ids */
  private static final byte SET_SHARD_WITNESSES = 12;

  /** collection | direction (0 up, 1 down) | has peer | peer id (version 3) */
  private static final byte START_RESHARDING = 13;

  /** collection | from phase | to phase (-1: ended) (version 3) */
  private static final byte RESHARDING_STEP = 14;

  private static final byte ALIAS_CREATE = 1;
  private static final byte ALIAS_DELETE = 2;
  private static final byte ALIAS_RENAME = 3;

  /**
   * Snapshots with shard maps that name their hashing and resharding: version 6 (5, 4, 3 and 2,
   * without them, witnesses, strict mode or draining and rebalancing, are still read).
   */
  static final int SNAPSHOT_VERSION = 6;

  private MetaMessages() {}

  /**
   * The command in the oldest version that holds it: version 3 for a create that hashes points
   * other than by {@code MOD} and for resharding commands, 2 for a collection config with a strict
   * mode, else 1, so that nodes of an earlier build, during a rolling upgrade, still read the rest.
   */
  public static Message encode(MetaCommand command) {
    CollectionConfig config =
        switch (command) {
          case MetaCommand.CreateCollection c -> c.config();
          case MetaCommand.UpdateCollection u -> u.config();
          default -> null;
        };
    boolean strict = config != null && config.strictMode() != null;
    boolean v3 =
        switch (command) {
          case MetaCommand.CreateCollection c -> c.hashing() != io.quiver.storage.PointHashing.MOD;
          case MetaCommand.StartResharding r -> true;
          case MetaCommand.ReshardingStep r -> true;
          default -> false;
        };
    int version = v3 ? COMMAND_VERSION : strict ? 2 : VERSION;
    return Envelope.message(
        COMMAND_MAGIC,
        version,
        out -> {
          switch (command) {
            case MetaCommand.RegisterNode r -> {
              out.writeByte(REGISTER_NODE);
              out.writeLong(r.nodeId());
              writeAddress(r.address(), out);
            }
            case MetaCommand.CreateCollection c -> {
              out.writeByte(CREATE_COLLECTION);
              out.writeUTF(c.name());
              writeConfig(c.config(), strict || v3, out);
              if (v3) {
                out.writeByte(c.hashing().ordinal());
              }
            }
            case MetaCommand.StartResharding r -> {
              out.writeByte(START_RESHARDING);
              out.writeUTF(r.collection());
              out.writeByte(r.direction().ordinal());
              out.writeBoolean(r.peerId() != null);
              out.writeLong(r.peerId() == null ? 0 : r.peerId());
            }
            case MetaCommand.ReshardingStep r -> {
              out.writeByte(RESHARDING_STEP);
              out.writeUTF(r.collection());
              out.writeByte(r.from().ordinal());
              out.writeByte(r.to() == null ? -1 : r.to().ordinal());
            }
            case MetaCommand.DeleteCollection d -> {
              out.writeByte(DELETE_COLLECTION);
              out.writeUTF(d.name());
            }
            case MetaCommand.RemoveNode r -> {
              out.writeByte(r.force() ? REMOVE_NODE_FORCED : REMOVE_NODE);
              out.writeLong(r.nodeId());
            }
            case MetaCommand.SetDraining d -> {
              out.writeByte(SET_DRAINING);
              out.writeLong(d.nodeId());
              out.writeBoolean(d.drain());
            }
            case MetaCommand.SetRebalancing r -> {
              out.writeByte(SET_REBALANCING);
              out.writeBoolean(r.on());
            }
            case MetaCommand.SetShardReplicas r -> {
              out.writeByte(SET_SHARD_REPLICAS);
              out.writeUTF(r.collection());
              out.writeInt(r.shardId());
              out.writeInt(r.replicas().size());
              for (long node : r.replicas()) {
                out.writeLong(node);
              }
            }
            case MetaCommand.SetShardWitnesses w -> {
              out.writeByte(SET_SHARD_WITNESSES);
              out.writeUTF(w.collection());
              out.writeInt(w.shardId());
              writeNodes(w.witnesses(), out);
            }
            case MetaCommand.UpdateCollection u -> {
              out.writeByte(UPDATE_COLLECTION);
              out.writeUTF(u.name());
              writeConfig(u.config(), strict, out);
            }
            case MetaCommand.ChangeVectorName c -> {
              out.writeByte(CHANGE_VECTOR_NAME);
              out.writeUTF(c.collection());
              out.writeUTF(c.vector());
              out.writeBoolean(c.added() != null);
              if (c.added() != null) {
                io.quiver.storage.VectorsConfigCodec.write(c.added(), out);
              }
            }
            case MetaCommand.UpdateAliases u -> {
              out.writeByte(UPDATE_ALIASES);
              out.writeInt(u.actions().size());
              for (AliasAction action : u.actions()) {
                switch (action) {
                  case AliasAction.Create c -> {
                    out.writeByte(ALIAS_CREATE);
                    out.writeUTF(c.alias());
                    out.writeUTF(c.collection());
                  }
                  case AliasAction.Delete d -> {
                    out.writeByte(ALIAS_DELETE);
                    out.writeUTF(d.alias());
                  }
                  case AliasAction.Rename r -> {
                    out.writeByte(ALIAS_RENAME);
                    out.writeUTF(r.from());
                    out.writeUTF(r.to());
                  }
                }
              }
            }
          }
        });
  }

  static MetaCommand decodeCommand(ByteString content) throws IOException {
    Envelope.Opened opened = Envelope.open(content, COMMAND_MAGIC, VERSION, COMMAND_VERSION);
    DataInputStream in = opened.in();
    boolean strict = opened.version() >= 2;
    byte type = in.readByte();
    return switch (type) {
      case REGISTER_NODE -> new MetaCommand.RegisterNode(in.readLong(), readAddress(in));
      case CREATE_COLLECTION ->
          new MetaCommand.CreateCollection(
              in.readUTF(),
              readConfig(in, strict),
              opened.version() >= 3 ? readHashing(in) : io.quiver.storage.PointHashing.MOD);
      case START_RESHARDING -> {
        String collection = in.readUTF();
        Resharding.Direction direction =
            readEnum(Resharding.Direction.values(), in.readByte(), "resharding direction");
        boolean hasPeer = in.readBoolean();
        long peer = in.readLong();
        yield new MetaCommand.StartResharding(collection, direction, hasPeer ? peer : null);
      }
      case RESHARDING_STEP -> {
        String collection = in.readUTF();
        Resharding.Phase from =
            readEnum(Resharding.Phase.values(), in.readByte(), "resharding phase");
        byte to = in.readByte();
        yield new MetaCommand.ReshardingStep(
            collection,
            from,
            to < 0 ? null : readEnum(Resharding.Phase.values(), to, "resharding phase"));
      }
      case DELETE_COLLECTION -> new MetaCommand.DeleteCollection(in.readUTF());
      case REMOVE_NODE -> new MetaCommand.RemoveNode(in.readLong(), false);
      case REMOVE_NODE_FORCED -> new MetaCommand.RemoveNode(in.readLong(), true);
      case SET_DRAINING -> new MetaCommand.SetDraining(in.readLong(), in.readBoolean());
      case SET_REBALANCING -> new MetaCommand.SetRebalancing(in.readBoolean());
      case SET_SHARD_REPLICAS -> {
        String collection = in.readUTF();
        int shardId = in.readInt();
        int n = PointCodec.readCount(in);
        List<Long> replicas = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          replicas.add(in.readLong());
        }
        yield new MetaCommand.SetShardReplicas(collection, shardId, replicas);
      }
      case SET_SHARD_WITNESSES ->
          new MetaCommand.SetShardWitnesses(in.readUTF(), in.readInt(), readNodes(in));
      case UPDATE_COLLECTION ->
          new MetaCommand.UpdateCollection(in.readUTF(), readConfig(in, strict));
      case CHANGE_VECTOR_NAME ->
          new MetaCommand.ChangeVectorName(
              in.readUTF(),
              in.readUTF(),
              in.readBoolean() ? io.quiver.storage.VectorsConfigCodec.read(in) : null);
      case UPDATE_ALIASES -> {
        int n = PointCodec.readCount(in);
        List<AliasAction> actions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          byte kind = in.readByte();
          actions.add(
              switch (kind) {
                case ALIAS_CREATE -> new AliasAction.Create(in.readUTF(), in.readUTF());
                case ALIAS_DELETE -> new AliasAction.Delete(in.readUTF());
                case ALIAS_RENAME -> new AliasAction.Rename(in.readUTF(), in.readUTF());
                default -> throw new IOException("unknown alias action " + kind);
              });
        }
        yield new MetaCommand.UpdateAliases(actions);
      }
      default -> throw new IOException("unknown meta command type " + type);
    };
  }

  /**
   * The reply to a command: its log index when applied, else its refusal. Still version 1, so that
   * a node of an earlier build reads it during a rolling upgrade: such a node reads the legacy
   * status byte and the message and ignores the typed trailer after them (it reads no further).
   */
  static Message reply(MetaOutcome outcome, long index) {
    return Envelope.message(
        REPLY_MAGIC,
        VERSION,
        out -> {
          out.writeByte(outcome.status().legacyCode);
          if (outcome.applied()) {
            out.writeLong(index);
            return;
          }
          out.writeUTF(outcome.message());
          out.writeByte(outcome.fault().ordinal());
          out.writeByte(outcome.status().ordinal());
          out.writeByte(outcome.subject().ordinal());
          out.writeUTF(outcome.name());
        });
  }

  /**
   * A decoded reply: the log index (when applied, else -1) and the outcome. A refusal from a node
   * of an earlier build has no typed trailer: its outcome is a user fault with the status of the
   * legacy byte and {@link MetaOutcome.Subject#NONE}, and the caller reads it in the light of the
   * command it sent (see {@code RaftCollectionCatalog}).
   */
  public record Reply(long value, MetaOutcome outcome) {}

  public static Reply decodeReply(ByteString content) throws IOException {
    DataInputStream in = Envelope.open(content, REPLY_MAGIC, VERSION);
    byte legacy = in.readByte();
    if (legacy == MetaOutcome.Status.OK.legacyCode) {
      return new Reply(in.readLong(), MetaOutcome.APPLIED);
    }
    String message = in.readUTF();
    int faultOrdinal = in.read(); // -1 at the end of the reply: an earlier build, no trailer
    if (faultOrdinal < 0) {
      MetaOutcome.Status status =
          switch (legacy) {
            case 1 -> MetaOutcome.Status.BAD_REQUEST;
            case 2 -> MetaOutcome.Status.NOT_FOUND;
            case 3 -> MetaOutcome.Status.CONFLICT;
            default -> throw new IOException("unknown meta reply status " + legacy);
          };
      return new Reply(
          -1,
          new MetaOutcome(MetaOutcome.Fault.USER, status, MetaOutcome.Subject.NONE, "", message));
    }
    MetaOutcome.Fault fault =
        readEnum(MetaOutcome.Fault.values(), faultOrdinal, "meta reply fault");
    MetaOutcome.Status status =
        readEnum(MetaOutcome.Status.values(), in.readUnsignedByte(), "meta reply status");
    MetaOutcome.Subject subject =
        readEnum(MetaOutcome.Subject.values(), in.readUnsignedByte(), "meta reply subject");
    try {
      return new Reply(-1, new MetaOutcome(fault, status, subject, in.readUTF(), message));
    } catch (IllegalArgumentException e) {
      throw new IOException("inconsistent meta reply: " + e.getMessage(), e);
    }
  }

  /**
   * The snapshot in the oldest version that holds it (read by earlier builds): 6 when some
   * collection hashes points other than by {@code mod N} or is being resharded, 5 when some shard
   * has a witness, 4 when some collection has a strict mode, else 3.
   */
  static byte[] encodeSnapshot(ClusterState state) {
    boolean resharding =
        state.collections().values().stream()
            .anyMatch(
                c ->
                    c.shardMap().hashing() != io.quiver.storage.PointHashing.MOD
                        || c.shardMap().resharding() != null);
    boolean witnesses =
        resharding
            || state.collections().values().stream()
                .anyMatch(
                    c -> c.shardMap().shards().stream().anyMatch(s -> !s.witnesses().isEmpty()));
    boolean strict =
        witnesses
            || state.collections().values().stream().anyMatch(c -> c.config().strictMode() != null);
    int version = resharding ? SNAPSHOT_VERSION : witnesses ? 5 : strict ? 4 : 3;
    return Envelope.bytes(
        SNAPSHOT_MAGIC,
        version,
        out -> {
          out.writeLong(state.appliedIndex());
          out.writeInt(state.nodes().size());
          for (var e : state.nodes().entrySet()) {
            out.writeLong(e.getKey());
            writeAddress(e.getValue(), out);
          }
          out.writeInt(state.collections().size());
          for (CollectionDescriptor c : state.collections().values()) {
            out.writeUTF(c.name());
            writeConfig(c.config(), strict, out);
            writeShardMap(c.shardMap(), witnesses, resharding, out);
          }
          out.writeInt(state.aliases().size());
          for (var e : state.aliases().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
          }
          out.writeInt(state.draining().size());
          for (long node : state.draining()) {
            out.writeLong(node);
          }
          out.writeBoolean(state.rebalancing());
        });
  }

  static ClusterState decodeSnapshot(InputStream input) throws IOException {
    Envelope.Opened opened =
        Envelope.open(ByteString.readFrom(input), SNAPSHOT_MAGIC, 2, SNAPSHOT_VERSION);
    DataInputStream in = opened.in();
    long index = in.readLong();
    TreeMap<Long, NodeAddress> nodes = new TreeMap<>();
    int nodeCount = PointCodec.readCount(in);
    for (int i = 0; i < nodeCount; i++) {
      nodes.put(in.readLong(), readAddress(in));
    }
    TreeMap<String, CollectionDescriptor> collections = new TreeMap<>();
    int collectionCount = PointCodec.readCount(in);
    for (int i = 0; i < collectionCount; i++) {
      String name = in.readUTF();
      collections.put(
          name,
          new CollectionDescriptor(
              name,
              readConfig(in, opened.version() >= 4),
              readShardMap(in, opened.version() >= 5, opened.version() >= 6)));
    }
    TreeMap<String, String> aliases = new TreeMap<>();
    int aliasCount = PointCodec.readCount(in);
    for (int i = 0; i < aliasCount; i++) {
      aliases.put(in.readUTF(), in.readUTF());
    }
    java.util.TreeSet<Long> draining = new java.util.TreeSet<>();
    boolean rebalancing = false;
    if (opened.version() >= 3) {
      int drainingCount = PointCodec.readCount(in);
      for (int i = 0; i < drainingCount; i++) {
        draining.add(in.readLong());
      }
      rebalancing = in.readBoolean();
    }
    return new ClusterState(index, nodes, collections, aliases, draining, rebalancing);
  }

  private static void writeAddress(NodeAddress address, DataOutput out) throws IOException {
    out.writeUTF(address.raftAddress());
    out.writeUTF(address.httpAddress());
  }

  private static NodeAddress readAddress(DataInput in) throws IOException {
    return new NodeAddress(in.readUTF(), in.readUTF());
  }

  /**
   * @param strict whether to end with the strict mode (formats of version 2 / snapshot version 4)
   */
  private static void writeConfig(CollectionConfig config, boolean strict, DataOutput out)
      throws IOException {
    ShardConfigCodec.write(config.shardConfig(), out);
    out.writeInt(config.shardNumber());
    out.writeInt(config.replicationFactor());
    out.writeInt(config.writeConsistencyFactor());
    if (strict) {
      StrictModeConfigCodec.write(config.strictMode(), out);
    }
  }

  /**
   * @param strict whether the config ends with its strict mode (formats written since strict mode)
   */
  private static CollectionConfig readConfig(DataInput in, boolean strict) throws IOException {
    ShardConfig shard =
        ShardConfigCodec.read(in); // also reads configs written before HNSW/optimizer settings
    CollectionConfig config =
        new CollectionConfig(
            shard.vectors(),
            in.readInt(),
            in.readInt(),
            in.readInt(),
            shard.hnsw(),
            shard.optimizers(),
            shard.quantization(),
            null,
            shard.payloadMemory());
    return strict ? config.withStrictMode(StrictModeConfigCodec.read(in)) : config;
  }

  /**
   * @param witnesses whether each shard's witnesses follow its replicas (snapshot version 5)
   * @param resharding whether the hashing and the resharding follow the shards (snapshot version 6)
   */
  private static void writeShardMap(
      ShardMap map, boolean witnesses, boolean resharding, DataOutput out) throws IOException {
    out.writeLong(map.epoch());
    out.writeInt(map.shardCount());
    for (ShardPlacement s : map.shards()) {
      out.writeInt(s.shardId());
      out.writeLong(s.groupId().getMostSignificantBits());
      out.writeLong(s.groupId().getLeastSignificantBits());
      writeNodes(s.replicas(), out);
      if (witnesses) {
        writeNodes(s.witnesses(), out);
      }
    }
    if (resharding) {
      out.writeByte(map.hashing().ordinal());
      Resharding r = map.resharding();
      out.writeBoolean(r != null);
      if (r != null) {
        out.writeByte(r.direction().ordinal());
        out.writeInt(r.fromCount());
        out.writeInt(r.toCount());
        out.writeLong(r.peerId());
        out.writeByte(r.phase().ordinal());
      }
    }
  }

  private static ShardMap readShardMap(DataInput in, boolean witnesses, boolean resharding)
      throws IOException {
    long epoch = in.readLong();
    int n = PointCodec.readCount(in);
    List<ShardPlacement> shards = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int shardId = in.readInt();
      UUID group = new UUID(in.readLong(), in.readLong());
      List<Long> replicas = readNodes(in);
      shards.add(
          new ShardPlacement(shardId, group, replicas, witnesses ? readNodes(in) : List.of()));
    }
    if (!resharding) {
      return new ShardMap(epoch, shards);
    }
    io.quiver.storage.PointHashing hashing = readHashing(in);
    Resharding r = null;
    if (in.readBoolean()) {
      Resharding.Direction direction =
          readEnum(Resharding.Direction.values(), in.readByte(), "resharding direction");
      int from = in.readInt();
      int to = in.readInt();
      long peer = in.readLong();
      r =
          new Resharding(
              direction,
              from,
              to,
              peer,
              readEnum(Resharding.Phase.values(), in.readByte(), "resharding phase"));
    }
    return new ShardMap(epoch, shards, hashing, r);
  }

  private static io.quiver.storage.PointHashing readHashing(DataInput in) throws IOException {
    return readEnum(io.quiver.storage.PointHashing.values(), in.readByte(), "point hashing");
  }

  private static <E> E readEnum(E[] values, int ordinal, String what) throws IOException {
    if (ordinal < 0 || ordinal >= values.length) {
      throw new IOException("unknown " + what + " " + ordinal);
    }
    return values[ordinal];
  }

  private static void writeNodes(List<Long> nodes, DataOutput out) throws IOException {
    out.writeInt(nodes.size());
    for (long node : nodes) {
      out.writeLong(node);
    }
  }

  private static List<Long> readNodes(DataInput in) throws IOException {
    int n = PointCodec.readCount(in);
    List<Long> nodes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      nodes.add(in.readLong());
    }
    return nodes;
  }
}
