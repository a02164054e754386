package io.quiver.index.sparse;

/**
 * How equal scores are ranked: {@code compare(a, b) < 0} when ord {@code a} goes before ord {@code
 * b}. Must be a strict total order over the ords searched, so results are deterministic (storage
 * ranks ties by point id). Called only for equal scores.
 */
@FunctionalInterface
public interface OrdTieOrder {

  /** Lower ords first. */
  OrdTieOrder BY_ORD = Integer::compare;

  int compare(int a, int b);
}
