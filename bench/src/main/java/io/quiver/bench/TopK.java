package io.quiver.bench;

/**
 * The best {@code k} (score, id) pairs seen, higher score first; a fixed-size min-heap on parallel
 * primitive arrays. Not thread-safe; reuse with {@link #clear()}.
 */
final class TopK {

  private final int k;
  private final float[] scores;
  private final int[] ids;
  private int size;

  TopK(int k) {
    this.k = k;
    this.scores = new float[k];
    this.ids = new int[k];
  }

  void clear() {
    size = 0;
  }

  void offer(float score, int id) {
    if (size < k) {
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (scores[parent] <= score) {
          break;
        }
        scores[i] = scores[parent];
        ids[i] = ids[parent];
        i = parent;
      }
      scores[i] = score;
      ids[i] = id;
    } else if (score > scores[0]) {
      siftDown(score, id);
    }
  }

  private void siftDown(float score, int id) {
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && scores[child + 1] < scores[child]) {
        child++;
      }
      if (score <= scores[child]) {
        break;
      }
      scores[i] = scores[child];
      ids[i] = ids[child];
      i = child;
    }
    scores[i] = score;
    ids[i] = id;
  }

  /** The ids, best first. Empties the heap. */
  int[] bestFirst() {
    int n = size;
    int[] out = new int[n];
    for (int j = n - 1; j >= 0; j--) {
      out[j] = ids[0];
      float lastScore = scores[size - 1];
      int lastId = ids[size - 1];
      size--;
      if (size > 0) {
        siftDown(lastScore, lastId);
      }
    }
    return out;
  }
}
