package io.quiver.storage.payloadindex;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.OrderBy;
import io.quiver.storage.OrderValue;
import io.quiver.storage.filter.Datetimes;
import io.quiver.storage.filter.FieldPredicate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.roaringbitmap.FastAggregation;
import org.roaringbitmap.RoaringBitmap;

/**
 * An inverted index: sorted keys, each with the bitmap of the points holding it, plus each point's
 * keys (to remove it). Keys are sorted so ranges are a sub-map. The subclasses say which JSON
 * scalars become keys and which predicates they answer; the answers agree exactly with {@code
 * FieldPredicate.testScalar}.
 */
abstract non-sealed class PostingIndex<K extends Comparable<K>> extends FieldIndex {

  /**
   * Key -&gt; the points holding it: an {@link Integer} while one point does (most keys of a
   * near-unique field such as a timestamp or an id), a {@link RoaringBitmap} from the second on.
   */
  private final TreeMap<K, Object> postings = new TreeMap<>();

  private final Map<Integer, Object[]> keysByOrd = new HashMap<>();

  /**
   * Adds the keys of one scalar to {@code out}; returns false when the scalar is foreign (a value
   * this index does not cover that an answered predicate could still accept).
   */
  abstract boolean keys(JsonNode scalar, List<K> out);

  @Override
  void add(int ord, List<JsonNode> values) {
    List<K> keys = new ArrayList<>(values.size());
    for (JsonNode v : values) {
      if (!keys(v, keys)) {
        foreign.add(ord);
      }
    }
    if (keys.isEmpty()) {
      return;
    }
    Object[] distinct = keys.size() == 1 ? keys.toArray() : new LinkedHashSet<>(keys).toArray();
    addKeys(ord, distinct);
    indexed.add(ord);
  }

  @Override
  boolean copyValues(FieldIndex source, int sourceOrd, int ord) {
    Object[] keys = ((PostingIndex<?>) source).keysByOrd.get(sourceOrd);
    if (keys == null) {
      return false;
    }
    addKeys(ord, keys); // never modified: shared
    return true;
  }

  private void addKeys(int ord, Object[] distinct) {
    keysByOrd.put(ord, distinct);
    for (Object k : distinct) {
      @SuppressWarnings("unchecked")
      K key = (K) k;
      Object posting = postings.get(key);
      if (posting == null) {
        postings.put(key, ord);
      } else if (posting instanceof Integer single) {
        postings.put(key, RoaringBitmap.bitmapOf(Math.min(single, ord), Math.max(single, ord)));
      } else {
        ((RoaringBitmap) posting).add(ord);
      }
    }
  }

  @Override
  void remove(int ord) {
    foreign.remove(ord);
    Object[] keys = keysByOrd.remove(ord);
    if (keys == null) {
      return;
    }
    for (Object k : keys) {
      @SuppressWarnings("unchecked")
      K key = (K) k;
      Object posting = postings.get(key);
      if (posting instanceof RoaringBitmap bitmap) {
        bitmap.remove(ord);
        if (bitmap.isEmpty()) {
          postings.remove(key);
        }
      } else {
        postings.remove(key);
      }
    }
    indexed.remove(ord);
  }

  /** The points holding {@code key} (shared, do not modify), or null. */
  final RoaringBitmap posting(K key) {
    Object posting = postings.get(key);
    return posting == null
        ? null
        : posting instanceof Integer single
            ? RoaringBitmap.bitmapOf(single)
            : (RoaringBitmap) posting;
  }

  final RoaringBitmap one(K key) {
    RoaringBitmap posting = posting(key);
    return posting == null ? new RoaringBitmap() : posting.clone();
  }

  final RoaringBitmap anyOf(Iterable<K> keys) {
    Union union = new Union();
    for (K k : keys) {
      union.add(postings.get(k));
    }
    return union.result();
  }

  /** The points holding a key in the range; a null bound is open. */
  final RoaringBitmap between(K from, boolean fromInclusive, K to, boolean toInclusive) {
    if (from != null && to != null) {
      int c = from.compareTo(to);
      if (c > 0 || (c == 0 && !(fromInclusive && toInclusive))) {
        return new RoaringBitmap();
      }
    }
    NavigableMap<K, Object> range = postings;
    if (from != null) {
      range = range.tailMap(from, fromInclusive);
    }
    if (to != null) {
      range = range.headMap(to, toInclusive);
    }
    Union union = new Union();
    for (Object posting : range.values()) {
      union.add(posting);
    }
    return union.result();
  }

  /**
   * The points holding a key from {@code from} on (ascending) while {@code keep} accepts the keys.
   */
  final RoaringBitmap fromWhile(K from, java.util.function.Predicate<K> keep) {
    Union union = new Union();
    for (Map.Entry<K, Object> e : postings.tailMap(from, true).entrySet()) {
      if (!keep.test(e.getKey())) {
        break;
      }
      union.add(e.getValue());
    }
    return union.result();
  }

  /**
   * The order value of a key; null when this index cannot order points ({@code keyword}, {@code
   * bool}, {@code uuid}, full text, {@code integer} without {@code range}: see {@link
   * #ordersPoints()}).
   */
  OrderValue orderValue(K key) {
    return null;
  }

  /**
   * A key at or before (in the walk's direction) every key whose value is admitted from {@code
   * start}; null when the walk must start at the first key. Only for ordering indexes.
   */
  K walkBound(OrderValue start, boolean descending) {
    throw new IllegalStateException(getClass().getSimpleName() + " does not order points");
  }

  @Override
  final void forEachOrdered(OrderBy orderBy, OrderedVisitor visitor) {
    NavigableMap<K, Object> keys = orderBy.descending() ? postings.descendingMap() : postings;
    K bound =
        orderBy.startFrom() == null ? null : walkBound(orderBy.startFrom(), orderBy.descending());
    if (bound != null) {
      keys = keys.tailMap(bound, true);
    }
    for (Map.Entry<K, Object> e : keys.entrySet()) {
      OrderValue value = orderValue(e.getKey());
      if (!orderBy.admits(value)) {
        continue; // the bound is conservative: the first keys after it may still be before the
        // start
      }
      Object posting = e.getValue();
      RoaringBitmap ords =
          posting instanceof Integer single
              ? RoaringBitmap.bitmapOf(single)
              : (RoaringBitmap) posting;
      if (!visitor.visit(value, ords)) {
        return;
      }
    }
  }

  /**
   * Unions postings: single points are gathered in an array, bitmaps aggregated at the end. The
   * array is the thread's scratch, kept between calls up to {@link #SCRATCH_KEPT} entries: a query
   * builds one union per segment, and most postings of a segment are single points.
   */
  private static final class Union {
    private static final int SCRATCH_KEPT = 1 << 16;
    private static final ThreadLocal<int[]> SCRATCH = ThreadLocal.withInitial(() -> new int[256]);

    private List<RoaringBitmap> bitmaps;
    private int[] singles = SCRATCH.get();
    private int count;

    void add(Object posting) {
      if (posting instanceof Integer single) {
        if (count == singles.length) {
          singles = java.util.Arrays.copyOf(singles, count * 2);
          if (singles.length <= SCRATCH_KEPT) {
            SCRATCH.set(singles);
          }
        }
        singles[count++] = single;
      } else if (posting != null) {
        if (bitmaps == null) {
          bitmaps = new ArrayList<>();
        }
        bitmaps.add((RoaringBitmap) posting);
      }
    }

    RoaringBitmap result() {
      // Sorted in place and added in order: no copy, and no 8 KB writer buffer per call.
      java.util.Arrays.sort(singles, 0, count);
      RoaringBitmap out = new RoaringBitmap();
      out.addN(singles, 0, count);
      if (bitmaps != null) {
        bitmaps.add(out);
        out = FastAggregation.or(bitmaps.iterator());
      }
      return out;
    }
  }

  /**
   * {@code keyword}: strings. With {@code prefix} it also answers {@code match: {prefix}}: the
   * strings starting with a prefix are one run of the sorted keys (Java's order compares UTF-16
   * units, and every extension of a prefix sorts after it and before the next non-extension).
   */
  static final class KeywordIndex extends PostingIndex<String> {
    private final boolean prefix;

    KeywordIndex(boolean prefix) {
      this.prefix = prefix;
    }

    @Override
    boolean keys(JsonNode v, List<String> out) {
      if (v.isTextual()) {
        out.add(v.textValue());
      }
      return true; // only strings pass keyword match / any
    }

    @Override
    IndexAnswer answer(FieldPredicate p) {
      return switch (p) {
        case FieldPredicate.MatchKeyword m -> IndexAnswer.exact(one(m.value()));
        case FieldPredicate.MatchAnyKeywords m -> IndexAnswer.exact(anyOf(m.values()));
        case FieldPredicate.MatchPrefix m when prefix ->
            IndexAnswer.exact(fromWhile(m.prefix(), k -> k.startsWith(m.prefix())));
        default -> null;
      };
    }
  }

  /**
   * {@code integer}: 64-bit integers. {@code lookup} answers match/any, {@code range} answers
   * numeric ranges; other numbers (floats, integers beyond 64 bits) are foreign to ranges.
   */
  static final class IntegerIndex extends PostingIndex<Long> {
    private final boolean lookup;
    private final boolean range;

    IntegerIndex(boolean lookup, boolean range) {
      this.lookup = lookup;
      this.range = range;
    }

    @Override
    boolean keys(JsonNode v, List<Long> out) {
      if (v.isIntegralNumber() && v.canConvertToLong()) {
        out.add(v.longValue());
        return true;
      }
      return !v.isNumber();
    }

    @Override
    IndexAnswer answer(FieldPredicate p) {
      return switch (p) {
        case FieldPredicate.MatchInteger m when lookup -> IndexAnswer.exact(one(m.value()));
        case FieldPredicate.MatchAnyIntegers m when lookup -> {
          List<Long> keys = new ArrayList<>();
          for (long x : m.values()) {
            keys.add(x);
          }
          yield IndexAnswer.exact(anyOf(keys));
        }
        case FieldPredicate.NumberRange r when range -> withForeign(longRange(r));
        default -> null;
      };
    }

    @Override
    OrderValue orderValue(Long key) {
      return range ? OrderValue.of(key) : null;
    }

    @Override
    boolean ordersPoints() {
      return range;
    }

    @Override
    Long walkBound(OrderValue start, boolean descending) {
      return longBound(start, descending);
    }

    /**
     * The longs a double range holds; the evaluator compares a long as its double, which agrees
     * below 2^53.
     */
    private RoaringBitmap longRange(FieldPredicate.NumberRange r) {
      long lo = Long.MIN_VALUE;
      long hi = Long.MAX_VALUE;
      if (r.gte() != null) {
        double c = Math.ceil(r.gte());
        if (c >= 0x1p63) {
          return new RoaringBitmap();
        }
        lo = Math.max(lo, (long) c); // saturates below the long range
      }
      if (r.gt() != null) {
        double f = Math.floor(r.gt());
        if (f >= 0x1p63) {
          return new RoaringBitmap();
        }
        lo = Math.max(lo, f < -0x1p63 ? Long.MIN_VALUE : (long) f + 1);
      }
      if (r.lte() != null) {
        double f = Math.floor(r.lte());
        if (f < -0x1p63) {
          return new RoaringBitmap();
        }
        hi = Math.min(hi, (long) f);
      }
      if (r.lt() != null) {
        double c = Math.ceil(r.lt());
        if (c <= -0x1p63) {
          return new RoaringBitmap();
        }
        hi = Math.min(hi, c >= 0x1p63 ? Long.MAX_VALUE : (long) c - 1);
      }
      return lo > hi ? new RoaringBitmap() : between(lo, true, hi, true);
    }
  }

  /** {@code float}: every JSON number, as a double (so it answers ranges over integers too). */
  static final class FloatIndex extends PostingIndex<Double> {
    @Override
    boolean keys(JsonNode v, List<Double> out) {
      if (v.isNumber()) {
        out.add(v.doubleValue() + 0.0); // -0.0 -> 0.0: they compare equal in the evaluator
      }
      return true;
    }

    @Override
    IndexAnswer answer(FieldPredicate p) {
      if (!(p instanceof FieldPredicate.NumberRange r)) {
        return null;
      }
      Double from = null;
      boolean fromInclusive = true;
      if (r.gte() != null) {
        from = r.gte() + 0.0;
      }
      if (r.gt() != null && (from == null || r.gt() >= from)) {
        from = r.gt() + 0.0;
        fromInclusive = false;
      }
      Double to = null;
      boolean toInclusive = true;
      if (r.lte() != null) {
        to = r.lte() + 0.0;
      }
      if (r.lt() != null && (to == null || r.lt() <= to)) {
        to = r.lt() + 0.0;
        toInclusive = false;
      }
      return IndexAnswer.exact(between(from, fromInclusive, to, toInclusive));
    }

    @Override
    OrderValue orderValue(Double key) {
      return OrderValue.of(key);
    }

    @Override
    boolean ordersPoints() {
      return true;
    }

    @Override
    Double walkBound(OrderValue start, boolean descending) {
      if (start.isInteger()) {
        // the double nearest a long may lie on either side of it: step one ulp outwards
        double d = start.longValue();
        return descending ? Math.nextUp(d) : Math.nextDown(d);
      }
      double d = start.doubleValue();
      return Double.isNaN(d) ? (descending ? null : d) : d;
    }
  }

  /**
   * A long key at or before (in the walk's direction) every long admitted from {@code start}; null
   * for no bound.
   */
  static Long longBound(OrderValue start, boolean descending) {
    if (start.isInteger()) {
      return start.longValue();
    }
    double d = start.doubleValue();
    if (Double.isNaN(d)) {
      return descending ? null : Long.MAX_VALUE; // NaN is above every value
    }
    return descending ? (long) Math.ceil(d) : (long) Math.floor(d); // the casts saturate
  }

  /** {@code bool}. */
  static final class BoolIndex extends PostingIndex<Boolean> {
    @Override
    boolean keys(JsonNode v, List<Boolean> out) {
      if (v.isBoolean()) {
        out.add(v.booleanValue());
      }
      return true;
    }

    @Override
    IndexAnswer answer(FieldPredicate p) {
      return p instanceof FieldPredicate.MatchBool m ? IndexAnswer.exact(one(m.value())) : null;
    }
  }

  /** {@code datetime}: strings {@link Datetimes} reads, as UTC microseconds. */
  static final class DatetimeIndex extends PostingIndex<Long> {
    @Override
    boolean keys(JsonNode v, List<Long> out) {
      if (v.isTextual()) {
        long micros = Datetimes.parseMicros(v.textValue());
        if (micros != Datetimes.INVALID) {
          out.add(micros);
        }
      }
      return true; // only parseable strings pass a datetime range
    }

    @Override
    IndexAnswer answer(FieldPredicate p) {
      if (!(p instanceof FieldPredicate.DatetimeRange r)) {
        return null;
      }
      long lo = Long.MIN_VALUE;
      long hi = Long.MAX_VALUE;
      if (r.gte() != null) {
        lo = Math.max(lo, r.gte());
      }
      if (r.gt() != null) {
        if (r.gt() == Long.MAX_VALUE) {
          return IndexAnswer.exact(new RoaringBitmap());
        }
        lo = Math.max(lo, r.gt() + 1);
      }
      if (r.lte() != null) {
        hi = Math.min(hi, r.lte());
      }
      if (r.lt() != null) {
        if (r.lt() == Long.MIN_VALUE) {
          return IndexAnswer.exact(new RoaringBitmap());
        }
        hi = Math.min(hi, r.lt() - 1);
      }
      return IndexAnswer.exact(lo > hi ? new RoaringBitmap() : between(lo, true, hi, true));
    }

    @Override
    OrderValue orderValue(Long key) {
      return OrderValue.of(key);
    }

    @Override
    boolean ordersPoints() {
      return true;
    }

    @Override
    Long walkBound(OrderValue start, boolean descending) {
      return longBound(start, descending);
    }
  }

  /**
   * {@code uuid}: strings in the canonical 8-4-4-4-12 hex form, keyed by their exact text (match is
   * string equality, as without an index). Other strings are foreign.
   */
  static final class UuidIndex extends PostingIndex<String> {
    private static final Pattern UUID =
        Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    @Override
    boolean keys(JsonNode v, List<String> out) {
      if (!v.isTextual()) {
        return true;
      }
      if (UUID.matcher(v.textValue()).matches()) {
        out.add(v.textValue());
        return true;
      }
      return false;
    }

    @Override
    IndexAnswer answer(FieldPredicate p) {
      return switch (p) {
        case FieldPredicate.MatchKeyword m ->
            isUuid(m.value())
                ? IndexAnswer.exact(one(m.value()))
                : withForeign(new RoaringBitmap());
        case FieldPredicate.MatchAnyKeywords m -> {
          boolean allUuids = m.values().stream().allMatch(UuidIndex::isUuid);
          RoaringBitmap hits = anyOf(m.values());
          yield allUuids ? IndexAnswer.exact(hits) : withForeign(hits);
        }
        default -> null;
      };
    }

    private static boolean isUuid(String s) {
      return UUID.matcher(s).matches();
    }
  }
}
