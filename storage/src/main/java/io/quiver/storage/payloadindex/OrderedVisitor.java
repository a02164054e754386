package io.quiver.storage.payloadindex;

import io.quiver.storage.OrderValue;
import org.roaringbitmap.RoaringBitmap;

/** Receives the values of an ordered index walk, in order, with the points holding each. */
@FunctionalInterface
public interface OrderedVisitor {

  /**
   * One distinct value and the payload-index ords of the points holding it (shared with the index:
   * read, never modify). Returns false to stop the walk.
   */
  boolean visit(OrderValue value, RoaringBitmap ords);
}
