package io.quiver.index.hnsw;

/**
 * The result of one search: ordinals and their similarities (higher is better), best first, plus
 * how many nodes the search scored (its cost).
 */
public record TopHits(int[] ords, float[] scores, int visited) {

  /** The number of hits. */
  public int size() {
    return ords.length;
  }
}
