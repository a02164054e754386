package io.quiver.storage.payloadindex;

import org.roaringbitmap.RoaringBitmap;

/**
 * A field index's answer to one predicate: {@code matches} pass for certain; {@code verify} are
 * points holding values the index does not cover (e.g. floats under an integer index) which may
 * pass and must be checked against their payload. Both are fresh bitmaps.
 */
record IndexAnswer(RoaringBitmap matches, RoaringBitmap verify) {

  static IndexAnswer exact(RoaringBitmap matches) {
    return new IndexAnswer(matches, new RoaringBitmap());
  }
}
