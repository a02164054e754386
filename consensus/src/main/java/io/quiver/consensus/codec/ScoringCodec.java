package io.quiver.consensus.codec;

import io.quiver.index.sparse.SparseVector;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.scoring.FacetValue;
import io.quiver.storage.scoring.ScoreRequest;
import io.quiver.storage.scoring.Scorer;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of the scored-scan and facet reads and of the facet reply (inside {@link
 * io.quiver.consensus.shard.ShardMessages}' query and reply envelopes).
 *
 * <pre>
 * score request: vectorName | scorer | limit | threshold? | filter? (by ShardMessages) | withPayload | withVector
 * scorer:        kind byte (1 best_score, 2 sum_scores, 3 discover, 4 context, 5 random, 6 by id)
 *                | for 1-4: example kind byte (0 dense: floats, a multivector's rows flat; 1 sparse) | examples
 * facet reply:   count | (kind byte (0 string, 1 integer, 2 bool) | value | count long)*
 * </pre>
 */
public final class ScoringCodec {

  private static final byte BEST_SCORE = 1;
  private static final byte SUM_SCORES = 2;
  private static final byte DISCOVER = 3;
  private static final byte CONTEXT = 4;
  private static final byte RANDOM = 5;
  private static final byte BY_ID = 6;
  private static final byte DENSE_EXAMPLES = 0;
  private static final byte SPARSE_EXAMPLES = 1;

  private ScoringCodec() {}

  public static void writeScoreRequest(ScoreRequest r, DataOutput out) throws IOException {
    out.writeUTF(r.vectorName());
    writeScorer(r.scorer(), out);
    out.writeInt(r.limit());
    out.writeBoolean(r.scoreThreshold() != null);
    if (r.scoreThreshold() != null) {
      out.writeFloat(r.scoreThreshold());
    }
    out.writeBoolean(r.withPayload());
    out.writeBoolean(r.withVector());
  }

  /** Reads what {@link #writeScoreRequest} wrote; the filter is read separately and passed in. */
  public static ScoreRequest readScoreRequest(DataInput in, FilterReader filter)
      throws IOException {
    String name = in.readUTF();
    Scorer<?> scorer = readScorer(in);
    int limit = in.readInt();
    Float threshold = in.readBoolean() ? in.readFloat() : null;
    boolean withPayload = in.readBoolean();
    boolean withVector = in.readBoolean();
    return new ScoreRequest(
        name, scorer, limit, threshold, filter.read(in), withPayload, withVector);
  }

  @FunctionalInterface
  public interface FilterReader {
    io.quiver.storage.filter.Filter read(DataInput in) throws IOException;
  }

  private static void writeScorer(Scorer<?> scorer, DataOutput out) throws IOException {
    switch (scorer) {
      case Scorer.RecommendBestScore<?> s -> {
        out.writeByte(BEST_SCORE);
        writeExampleKind(s.examples(), out);
        writeExamples(s.positives(), out);
        writeExamples(s.negatives(), out);
      }
      case Scorer.RecommendSumScores<?> s -> {
        out.writeByte(SUM_SCORES);
        writeExampleKind(s.examples(), out);
        writeExamples(s.positives(), out);
        writeExamples(s.negatives(), out);
      }
      case Scorer.Discover<?> d -> {
        out.writeByte(DISCOVER);
        writeExampleKind(d.examples(), out);
        writeExample(d.target(), out);
        writePairs(d.pairs(), out);
      }
      case Scorer.Context<?> c -> {
        out.writeByte(CONTEXT);
        writeExampleKind(c.examples(), out);
        writePairs(c.pairs(), out);
      }
      case Scorer.Random<?> r -> {
        out.writeByte(RANDOM);
        out.writeLong(r.seed());
      }
      case Scorer.ById<?> b -> out.writeByte(BY_ID);
    }
  }

  private static Scorer<?> readScorer(DataInput in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case BEST_SCORE, SUM_SCORES, DISCOVER, CONTEXT -> {
        byte examples = in.readByte();
        yield switch (examples) {
          case DENSE_EXAMPLES -> readExampleScorer(kind, in, PointCodec::readFloats);
          case SPARSE_EXAMPLES -> readExampleScorer(kind, in, PointCodec::readSparseVector);
          default -> throw new IOException("unknown example kind " + examples);
        };
      }
      case RANDOM -> new Scorer.Random<>(in.readLong());
      case BY_ID -> new Scorer.ById<>();
      default -> throw new IOException("unknown scorer kind " + kind);
    };
  }

  @FunctionalInterface
  private interface ExampleReader<V> {
    V read(DataInput in) throws IOException;
  }

  private static <V> Scorer<V> readExampleScorer(byte kind, DataInput in, ExampleReader<V> example)
      throws IOException {
    return switch (kind) {
      case BEST_SCORE ->
          new Scorer.RecommendBestScore<>(readExamples(in, example), readExamples(in, example));
      case SUM_SCORES ->
          new Scorer.RecommendSumScores<>(readExamples(in, example), readExamples(in, example));
      case DISCOVER -> new Scorer.Discover<>(example.read(in), readPairs(in, example));
      case CONTEXT -> new Scorer.Context<>(readPairs(in, example));
      default -> throw new IOException("scorer kind " + kind + " has no examples");
    };
  }

  /** One byte for the examples' type: all dense (or flat multivector rows), or all sparse. */
  private static void writeExampleKind(List<?> examples, DataOutput out) throws IOException {
    boolean sparse = !examples.isEmpty() && examples.getFirst() instanceof SparseVector;
    for (Object e : examples) {
      if ((e instanceof SparseVector) != sparse) {
        throw new IllegalArgumentException("a scorer mixes sparse and dense examples");
      }
    }
    out.writeByte(sparse ? SPARSE_EXAMPLES : DENSE_EXAMPLES);
  }

  private static void writeExample(Object example, DataOutput out) throws IOException {
    switch (example) {
      case float[] v -> PointCodec.writeFloats(v, out);
      case SparseVector v -> PointCodec.writeSparseVector(v, out);
      default -> throw new IllegalArgumentException("not an example vector: " + example);
    }
  }

  private static void writeExamples(List<?> vectors, DataOutput out) throws IOException {
    out.writeInt(vectors.size());
    for (Object v : vectors) {
      writeExample(v, out);
    }
  }

  private static <V> List<V> readExamples(DataInput in, ExampleReader<V> example)
      throws IOException {
    int n = PointCodec.readCount(in);
    List<V> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(example.read(in));
    }
    return out;
  }

  private static void writePairs(List<? extends Scorer.Pair<?>> pairs, DataOutput out)
      throws IOException {
    out.writeInt(pairs.size());
    for (Scorer.Pair<?> p : pairs) {
      writeExample(p.positive(), out);
      writeExample(p.negative(), out);
    }
  }

  private static <V> List<Scorer.Pair<V>> readPairs(DataInput in, ExampleReader<V> example)
      throws IOException {
    int n = PointCodec.readCount(in);
    List<Scorer.Pair<V>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Scorer.Pair<>(example.read(in), example.read(in)));
    }
    return out;
  }

  public static void writeFacetKey(JsonPath key, DataOutput out) throws IOException {
    out.writeUTF(key.toString());
  }

  public static JsonPath readFacetKey(DataInput in) throws IOException {
    try {
      return JsonPath.parse(in.readUTF());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  public static void writeFacetCounts(Map<FacetValue, Long> counts, DataOutput out)
      throws IOException {
    out.writeInt(counts.size());
    for (Map.Entry<FacetValue, Long> e : counts.entrySet()) {
      FacetValue v = e.getKey();
      out.writeByte(v.kind().ordinal());
      switch (v.kind()) {
        case STRING -> out.writeUTF(v.string());
        case INTEGER -> out.writeLong(v.integer());
        case BOOL -> out.writeBoolean(v.bool());
      }
      out.writeLong(e.getValue());
    }
  }

  public static Map<FacetValue, Long> readFacetCounts(DataInput in) throws IOException {
    int n = PointCodec.readCount(in);
    Map<FacetValue, Long> counts = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      int kind = in.readByte();
      FacetValue v =
          switch (kind) {
            case 0 -> FacetValue.of(in.readUTF());
            case 1 -> FacetValue.of(in.readLong());
            case 2 -> FacetValue.of(in.readBoolean());
            default -> throw new IOException("unknown facet value kind " + kind);
          };
      counts.put(v, in.readLong());
    }
    return counts;
  }
}
