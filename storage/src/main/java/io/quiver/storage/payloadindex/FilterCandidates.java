package io.quiver.storage.payloadindex;

import io.quiver.storage.filter.Condition;
import io.quiver.storage.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * Walks a filter against the payload indexes of one segment: its candidate set (in the segment's
 * ords) and its cardinality estimate.
 *
 * <pre>
 *   must        -&gt; intersection          (exact if every part is)
 *   should      -&gt; union                 (exact if every part is; an empty list matches nothing)
 *   min_should  -&gt; union                 (exact only for min_count 1; else a superset)
 *   must_not    -&gt; complement of an exact part; an inexact part constrains nothing
 *   field       -&gt; its index's answer    (exact unless it has points to verify)
 *   has_id      -&gt; those ids             (exact)
 *   anything else (no index, is_empty, nested, ...) -&gt; every point, inexact
 * </pre>
 *
 * A superset stays a superset through intersection and union, so the result is always safe to
 * verify point by point. One instance per call; not thread-safe.
 */
final class FilterCandidates {

  private final SegmentPayloadIndex indexes;

  FilterCandidates(SegmentPayloadIndex indexes) {
    this.indexes = indexes;
  }

  Candidates of(Filter filter) {
    Candidates acc = null;
    for (Condition c : filter.must()) {
      acc = and(acc, of(c));
    }
    for (Condition c : filter.mustNot()) {
      Candidates not = of(c);
      acc =
          and(
              acc,
              not.exact()
                  ? new Candidates(RoaringBitmap.andNot(indexes.live(), not.ords()), true)
                  : everything(false));
    }
    if (filter.should() != null) {
      acc = and(acc, union(filter.should(), true));
    }
    if (filter.minShould() != null) {
      acc = and(acc, union(filter.minShould().conditions(), filter.minShould().minCount() == 1));
    }
    return acc == null ? everything(true) : acc;
  }

  private Candidates of(Condition condition) {
    return switch (condition) {
      case Filter f -> of(f);
      case Condition.Field f -> field(f);
      case Condition.HasId h -> new Candidates(indexes.ordsOf(h.ids()), true);
      default -> everything(false);
    };
  }

  private Candidates field(Condition.Field f) {
    FieldIndex index = indexes.index(f.key());
    IndexAnswer answer = index == null ? null : index.answer(f.predicate());
    if (answer == null) {
      return everything(false);
    }
    if (answer.verify().isEmpty()) {
      return new Candidates(answer.matches(), true);
    }
    answer.matches().or(answer.verify());
    return new Candidates(answer.matches(), false);
  }

  private Candidates union(List<Condition> conditions, boolean exactIfPartsAre) {
    Candidates acc = new Candidates(new RoaringBitmap(), exactIfPartsAre);
    for (Condition c : conditions) {
      acc = acc.or(of(c));
    }
    return acc;
  }

  private static Candidates and(Candidates acc, Candidates next) {
    return acc == null ? next : acc.and(next);
  }

  private Candidates everything(boolean exact) {
    return new Candidates(indexes.live().clone(), exact);
  }

  /** Qdrant's estimate combination over the filter's conditions. */
  Estimate estimate(Filter filter) {
    return estimate(filter, indexes.pointCount(), true);
  }

  /** The estimate when no field is indexed: every field condition is unknown. */
  static Estimate estimateUnindexed(Filter filter, long total) {
    return new FilterCandidates(null).estimate(filter, total, false);
  }

  private Estimate estimate(Filter filter, long total, boolean useIndexes) {
    List<Estimate> parts = new ArrayList<>();
    for (Condition c : filter.must()) {
      parts.add(estimate(c, total, useIndexes));
    }
    for (Condition c : filter.mustNot()) {
      parts.add(estimate(c, total, useIndexes).invert(total));
    }
    if (filter.should() != null) {
      parts.add(any(filter.should(), total, useIndexes));
    }
    if (filter.minShould() != null) {
      Estimate any = any(filter.minShould().conditions(), total, useIndexes);
      // At least min_count of them: no more than "any of them", possibly none.
      parts.add(
          filter.minShould().minCount() == 1
              ? any
              : new Estimate(0, any.expected() / 2, any.max()));
    }
    return Estimate.all(parts, total);
  }

  private Estimate any(List<Condition> conditions, long total, boolean useIndexes) {
    List<Estimate> parts = new ArrayList<>();
    for (Condition c : conditions) {
      parts.add(estimate(c, total, useIndexes));
    }
    return Estimate.any(parts, total);
  }

  private Estimate estimate(Condition condition, long total, boolean useIndexes) {
    if (condition instanceof Filter f) {
      return estimate(f, total, useIndexes);
    }
    if (!useIndexes) {
      if (condition instanceof Condition.HasId h) {
        return new Estimate(
            0, Math.min(total, h.ids().size()) / 2, Math.min(total, h.ids().size()));
      }
      return Estimate.unknown(total);
    }
    Candidates c = of(condition);
    if (c.exact()) {
      return Estimate.exact(c.size());
    }
    if (condition instanceof Condition.Field f && indexes.index(f.key()) != null) {
      IndexAnswer answer = indexes.index(f.key()).answer(f.predicate());
      if (answer != null) {
        long sure = answer.matches().getCardinality();
        long maybe = RoaringBitmap.andNot(answer.verify(), answer.matches()).getCardinality();
        return new Estimate(sure, sure + maybe / 2, sure + maybe);
      }
    }
    return Estimate.unknown(total);
  }
}
