package io.quiver.consensus;

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
 * The binary form of the scored-scan and facet reads and of the facet reply (inside
 * {@link ShardMessages}' query and reply envelopes).
 *
 * <pre>
 * score request: vectorName | scorer | limit | threshold? | filter? (by ShardMessages) | withPayload | withVector
 * scorer:        kind byte (1 best_score, 2 sum_scores, 3 discover, 4 context, 5 random, 6 by id) | vectors
 * facet reply:   count | (kind byte (0 string, 1 integer, 2 bool) | value | count long)*
 * </pre>
 */
final class ScoringCodec {

  private static final byte BEST_SCORE = 1;
  private static final byte SUM_SCORES = 2;
  private static final byte DISCOVER = 3;
  private static final byte CONTEXT = 4;
  private static final byte RANDOM = 5;
  private static final byte BY_ID = 6;

  private ScoringCodec() {}

  static void writeScoreRequest(ScoreRequest r, DataOutput out) throws IOException {
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
  static ScoreRequest readScoreRequest(DataInput in, FilterReader filter) throws IOException {
    String name = in.readUTF();
    Scorer scorer = readScorer(in);
    int limit = in.readInt();
    Float threshold = in.readBoolean() ? in.readFloat() : null;
    boolean withPayload = in.readBoolean();
    boolean withVector = in.readBoolean();
    return new ScoreRequest(name, scorer, limit, threshold, filter.read(in), withPayload, withVector);
  }

  @FunctionalInterface
  interface FilterReader {
    io.quiver.storage.filter.Filter read(DataInput in) throws IOException;
  }

  private static void writeScorer(Scorer scorer, DataOutput out) throws IOException {
    switch (scorer) {
      case Scorer.RecommendBestScore s -> {
        out.writeByte(BEST_SCORE);
        writeVectors(s.positives(), out);
        writeVectors(s.negatives(), out);
      }
      case Scorer.RecommendSumScores s -> {
        out.writeByte(SUM_SCORES);
        writeVectors(s.positives(), out);
        writeVectors(s.negatives(), out);
      }
      case Scorer.Discover d -> {
        out.writeByte(DISCOVER);
        PointCodec.writeFloats(d.target(), out);
        writePairs(d.pairs(), out);
      }
      case Scorer.Context c -> {
        out.writeByte(CONTEXT);
        writePairs(c.pairs(), out);
      }
      case Scorer.Random r -> {
        out.writeByte(RANDOM);
        out.writeLong(r.seed());
      }
      case Scorer.ById b -> out.writeByte(BY_ID);
    }
  }

  private static Scorer readScorer(DataInput in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case BEST_SCORE -> new Scorer.RecommendBestScore(readVectors(in), readVectors(in));
      case SUM_SCORES -> new Scorer.RecommendSumScores(readVectors(in), readVectors(in));
      case DISCOVER -> new Scorer.Discover(PointCodec.readFloats(in), readPairs(in));
      case CONTEXT -> new Scorer.Context(readPairs(in));
      case RANDOM -> new Scorer.Random(in.readLong());
      case BY_ID -> new Scorer.ById();
      default -> throw new IOException("unknown scorer kind " + kind);
    };
  }

  private static void writeVectors(List<float[]> vectors, DataOutput out) throws IOException {
    out.writeInt(vectors.size());
    for (float[] v : vectors) {
      PointCodec.writeFloats(v, out);
    }
  }

  private static List<float[]> readVectors(DataInput in) throws IOException {
    int n = PointCodec.readCount(in);
    List<float[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(PointCodec.readFloats(in));
    }
    return out;
  }

  private static void writePairs(List<Scorer.Pair> pairs, DataOutput out) throws IOException {
    out.writeInt(pairs.size());
    for (Scorer.Pair p : pairs) {
      PointCodec.writeFloats(p.positive(), out);
      PointCodec.writeFloats(p.negative(), out);
    }
  }

  private static List<Scorer.Pair> readPairs(DataInput in) throws IOException {
    int n = PointCodec.readCount(in);
    List<Scorer.Pair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Scorer.Pair(PointCodec.readFloats(in), PointCodec.readFloats(in)));
    }
    return out;
  }

  static void writeFacetKey(JsonPath key, DataOutput out) throws IOException {
    out.writeUTF(key.toString());
  }

  static JsonPath readFacetKey(DataInput in) throws IOException {
    try {
      return JsonPath.parse(in.readUTF());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  static void writeFacetCounts(Map<FacetValue, Long> counts, DataOutput out) throws IOException {
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

  static Map<FacetValue, Long> readFacetCounts(DataInput in) throws IOException {
    int n = PointCodec.readCount(in);
    Map<FacetValue, Long> counts = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      int kind = in.readByte();
      FacetValue v = switch (kind) {
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
