package io.quiver.index.sparse;

/**
 * An inverted index the {@link SparseSearcher} can search: the posting list of a dimension, and
 * which ords are deleted. Implementations: {@link GrowingSparseIndex} (heap, appendable) and {@link
 * MappedSparseIndex} (a file, immutable).
 */
public interface SparsePostings {

  /** The postings of dimension {@code index} (unsigned), or null when no vector has it. */
  PostingList postings(int index);

  /**
   * True when {@code ord} was deleted and must not be returned. Called once per candidate: O(1).
   */
  boolean isDeleted(int ord);

  /** One more than the largest ord the index holds (0 when empty). */
  int ordBound();

  /** Calls {@code consumer} with every dimension that has postings, in no particular order. */
  void forEachDimension(java.util.function.IntConsumer consumer);
}
