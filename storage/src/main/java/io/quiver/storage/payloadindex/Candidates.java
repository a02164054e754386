package io.quiver.storage.payloadindex;

import org.roaringbitmap.RoaringBitmap;

/**
 * Points a filter may match, as payload-index ords: exactly the matching points when {@code exact},
 * otherwise a superset whose members must still be checked against the filter. The bitmap is owned
 * by the receiver (a fresh copy).
 */
public record Candidates(RoaringBitmap ords, boolean exact) {

  int size() {
    return ords.getCardinality();
  }

  Candidates and(Candidates other) {
    return new Candidates(RoaringBitmap.and(ords, other.ords), exact && other.exact);
  }

  Candidates or(Candidates other) {
    return new Candidates(RoaringBitmap.or(ords, other.ords), exact && other.exact);
  }
}
