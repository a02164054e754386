package io.quiver.storage.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * The segments of a shard at one moment: the appendable segment taking writes, and the others
 * (frozen appendable segments being flushed, plain and indexed sealed segments). Immutable: the
 * flusher and the optimizer publish a new set in one volatile write, so a search sees the old set
 * or the new one, never a mix.
 */
record SegmentSet(AppendableSegment active, List<Segment> others) {

  SegmentSet {
    others = List.copyOf(others);
  }

  /** Every segment, the appendable one last. */
  List<Segment> all() {
    List<Segment> all = new ArrayList<>(others.size() + 1);
    all.addAll(others);
    all.add(active);
    return all;
  }

  List<SealedSegment> sealed() {
    List<SealedSegment> out = new ArrayList<>();
    for (Segment s : others) {
      if (s instanceof SealedSegment sealed) {
        out.add(sealed);
      }
    }
    return out;
  }

  List<AppendableSegment> frozen() {
    List<AppendableSegment> out = new ArrayList<>();
    for (Segment s : others) {
      if (s instanceof AppendableSegment a) {
        out.add(a);
      }
    }
    return out;
  }

  /** This set with {@code removed} replaced by {@code added} (null: nothing added). */
  SegmentSet replace(List<? extends Segment> removed, Segment added) {
    List<Segment> next = new ArrayList<>(others);
    next.removeAll(removed);
    if (added != null) {
      next.add(added);
    }
    return new SegmentSet(active, next);
  }
}
