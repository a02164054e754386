package io.quiver.index.hnsw;

import io.quiver.index.scorer.VectorScorer;
import io.quiver.index.scorer.VectorScorerSupplier;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Builds an {@link OnHeapHnswGraph} over all ordinals of a {@link VectorScorerSupplier}, on {@link
 * HnswParams#threads()} threads.
 *
 * <p>Concurrency (as hnswlib): each node's lists are written under that node's lock; searches read
 * lists without locks; a node whose level exceeds the current top level holds the entry lock for
 * its whole insertion, so the top of the graph grows one node at a time. Lock order: the entry
 * lock, then at most one node lock. A node being inserted is searched for its neighbours on every
 * level first, and becomes reachable (linked to by others) only once its own lists are set on all
 * of them (see {@code Inserter.link}). Levels are drawn up front from the seed, so the graph's
 * shape is reproducible; with more than one thread the edges depend on timing.
 *
 * <p>Cancellation is cooperative: every worker asks the caller's {@code cancelled} supplier before
 * each node it inserts and stops when it says true; the build then throws {@link
 * BuildCancelledException} once every worker has stopped (no thread of the build outlives it).
 */
public final class HnswBuilder {

  private static final int MAX_LEVEL = 30;

  private final VectorScorerSupplier supplier;
  private final HnswParams params;
  private final OnHeapHnswGraph graph;
  private final ReentrantLock entryLock = new ReentrantLock();
  private final BooleanSupplier cancelled;

  /** The ords that become graph nodes; the others keep empty lists and are never reached. */
  private final OrdFilter inserted;

  private volatile boolean stopped;

  private HnswBuilder(
      VectorScorerSupplier supplier,
      HnswParams params,
      BooleanSupplier cancelled,
      OrdFilter inserted) {
    this.supplier = supplier;
    this.params = params;
    this.cancelled = cancelled;
    this.inserted = inserted;
    this.graph =
        new OnHeapHnswGraph(supplier.size(), params.maxConn(), drawLevels(supplier.size(), params));
  }

  /** Builds the graph of every vector the supplier has. Blocks until done. */
  public static OnHeapHnswGraph build(VectorScorerSupplier supplier, HnswParams params) {
    return build(supplier, params, () -> false);
  }

  /**
   * Builds the graph of every vector the supplier has, asking {@code cancelled} before each node is
   * inserted (keep it cheap: a volatile read). Blocks until done or cancelled.
   *
   * @throws BuildCancelledException when {@code cancelled} said true; every builder thread has
   *     stopped by then and the partial graph is dropped
   */
  public static OnHeapHnswGraph build(
      VectorScorerSupplier supplier, HnswParams params, BooleanSupplier cancelled) {
    return build(supplier, params, cancelled, OrdFilter.ALL);
  }

  /**
   * As {@link #build(VectorScorerSupplier, HnswParams, BooleanSupplier)}, inserting only the ords
   * {@code inserted} accepts (e.g. the points that have this vector): the others stay in the
   * graph's numbering with empty neighbour lists, are never linked to and never visited by a
   * search, so their (absent) vectors are never scored. With no ord inserted the graph is empty (no
   * entry point).
   */
  public static OnHeapHnswGraph build(
      VectorScorerSupplier supplier,
      HnswParams params,
      BooleanSupplier cancelled,
      OrdFilter inserted) {
    return build(supplier, params, cancelled, inserted, false);
  }

  /**
   * As {@link #build(VectorScorerSupplier, HnswParams, BooleanSupplier, OrdFilter)}; with {@code
   * reconnect}, nodes no level-0 path from the entry point reaches are then linked in (see {@link
   * #reconnect}) when they are at most 1% of the inserted nodes. More than that is a property of
   * the similarity rather than of concurrent inserts (the dot product's hubs leave most low-norm
   * vectors unreachable: 1,191 of 2,000 clustered 4-dim vectors in HnswBuildCancellationTest's
   * set), and linking them would cost about a rebuild.
   */
  public static OnHeapHnswGraph build(
      VectorScorerSupplier supplier,
      HnswParams params,
      BooleanSupplier cancelled,
      OrdFilter inserted,
      boolean reconnect) {
    HnswBuilder builder = new HnswBuilder(supplier, params, cancelled, inserted);
    builder.run();
    if (reconnect && !builder.stopped) {
      builder.reconnect();
    }
    if (builder.stopped) {
      throw new BuildCancelledException(builder.graph.size());
    }
    builder.graph.freeze();
    return builder.graph;
  }

  private static byte[] drawLevels(int size, HnswParams params) {
    SplittableRandom random = new SplittableRandom(params.seed());
    double ml = 1 / Math.log(params.maxConn());
    byte[] levels = new byte[size];
    for (int i = 0; i < size; i++) {
      double u = 1.0 - random.nextDouble(); // (0, 1]
      levels[i] = (byte) Math.min(MAX_LEVEL, (int) (-Math.log(u) * ml));
    }
    return levels;
  }

  private void run() {
    int size = graph.size();
    int first = 0;
    while (first < size && !inserted.accept(first)) {
      first++;
    }
    if (first == size) {
      return;
    }
    graph.setEntry(first, graph.levelOf(first));
    AtomicInteger next = new AtomicInteger(first + 1);
    int threads = Math.min(params.threads(), Math.max(1, size / 64));
    if (threads == 1) {
      new Inserter(supplier).insertAll(next);
      return;
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      Inserter inserter = new Inserter(supplier.copy());
      workers[t] =
          Thread.ofPlatform()
              .name("hnsw-build-" + t)
              .start(
                  () -> {
                    try {
                      inserter.insertAll(next);
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                      next.set(Integer.MAX_VALUE / 2); // stop the other workers
                    }
                  });
    }
    for (Thread worker : workers) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while building an HNSW graph", e);
      }
    }
    if (failure.get() != null) {
      throw new IllegalStateException("HNSW build failed", failure.get());
    }
  }

  /**
   * Links the inserted nodes that no level-0 path from the entry point reaches (a search can never
   * return them): concurrent inserts can leave a node whose inbound links were all pruned by later
   * neighbours' list updates (a few per thousand with two threads on clustered multivectors). For
   * each such node, in ord order: search level 0 from the entry point with its scorer, as an insert
   * does, and append it to the list of the best reached result that has room (else it replaces the
   * worst-scored neighbour of the best reached result); then mark what it reaches. Repeats (at most
   * 3 rounds) while a replacement may have cut another node off. One thread; asks {@code cancelled}
   * per node. Cost: one breadth-first pass over level 0 per round, and one insert-like search per
   * unreached node. Returns the number of links added.
   */
  private int reconnect() {
    int size = graph.size();
    int added = 0;
    for (int round = 0; round < 3; round++) {
      long entry = graph.entry();
      if (entry < 0) {
        return added;
      }
      boolean[] reached = new boolean[size];
      int[] list = new int[graph.maxConn0()];
      reach((int) entry, reached, list);
      int nodes = 0;
      int unreached = 0;
      for (int node = 0; node < size; node++) {
        if (inserted.accept(node)) {
          nodes++;
          unreached += reached[node] ? 0 : 1;
        }
      }
      if (unreached == 0 || unreached > nodes / 100) {
        return added;
      }
      Inserter inserter = null;
      boolean replaced = false;
      for (int node = 0; node < size; node++) {
        if (reached[node] || !inserted.accept(node)) {
          continue;
        }
        if (cancelled.getAsBoolean()) {
          stopped = true;
          return added;
        }
        if (inserter == null) {
          inserter = new Inserter(supplier);
        }
        replaced |= inserter.attach(node, reached);
        added++;
        reach(node, reached, list);
      }
      if (!replaced) {
        break;
      }
    }
    return added;
  }

  /** Marks every node reachable on level 0 from {@code from} (iterative depth-first). */
  private void reach(int from, boolean[] reached, int[] list) {
    if (reached[from]) {
      return;
    }
    int[] stack = new int[64];
    int top = 0;
    stack[top++] = from;
    reached[from] = true;
    while (top > 0) {
      int node = stack[--top];
      int n = graph.neighbours(0, node, list);
      for (int i = 0; i < n; i++) {
        int next = list[i];
        if (!reached[next]) {
          reached[next] = true;
          if (top == stack.length) {
            stack = java.util.Arrays.copyOf(stack, top * 2);
          }
          stack[top++] = next;
        }
      }
    }
  }

  /** One builder thread's state: its suppliers, its searcher and reused buffers. */
  private final class Inserter {
    private final VectorScorerSupplier querySupplier;
    private final VectorScorerSupplier pairSupplier;
    private final HnswSearcher searcher = new HnswSearcher();
    private final int beam = params.beamWidth();
    private final int[] candNodes = new int[beam + 1];
    private final float[] candScores = new float[beam + 1];
    private final int[] entryNodes = new int[beam + 1];
    private final float[] entryScores = new float[beam + 1];

    /** The neighbours selected on each level of the node being inserted, and how many. */
    private final int[][] levelSel = new int[MAX_LEVEL + 1][graph.maxConn0() + 1];

    private final float[][] levelSelScores = new float[MAX_LEVEL + 1][graph.maxConn0() + 1];
    private final int[] selectedPerLevel = new int[MAX_LEVEL + 1];
    private final int[] pruneNodes = new int[graph.maxConn0() + 1];
    private final float[] pruneScores = new float[graph.maxConn0() + 1];
    private final float[] keptScores = new float[graph.maxConn0() + 1];

    Inserter(VectorScorerSupplier supplier) {
      this.querySupplier = supplier;
      this.pairSupplier = supplier.copy();
    }

    void insertAll(AtomicInteger next) {
      int size = graph.size();
      for (int node = next.getAndIncrement(); node < size; node = next.getAndIncrement()) {
        if (stopped || cancelled.getAsBoolean()) {
          stopped = true;
          return;
        }
        if (inserted.accept(node)) {
          insert(node);
        }
      }
    }

    /**
     * Inserts {@code node}: 1. if its level is above the current top, take the entry lock for the
     * whole insertion; 2. descend greedily from the entry point to the node's level + 1; 3. on each
     * level from there to 0: beam search (efConstruction) from the previous level's results, select
     * neighbours by the heuristic, link the node to them and them back to it; 4. if the node is the
     * new top, publish it as the entry point.
     */
    private void insert(int node) {
      int level = graph.levelOf(node);
      boolean raises = false;
      long entry = graph.entry();
      if (level > (int) (entry >>> 32)) {
        entryLock.lock();
        entry = graph.entry();
        raises = level > (int) (entry >>> 32);
        if (!raises) {
          entryLock.unlock();
        }
      }
      try {
        VectorScorer scorer = querySupplier.scorer(node);
        int top = (int) (entry >>> 32);
        int ep = (int) entry;
        float epScore = scorer.score(ep);
        for (int l = top; l > level; l--) {
          ep = searcher.greedyDescend(graph, scorer, l, ep, epScore);
          epScore = searcher.lastGreedyScore();
        }
        entryNodes[0] = ep;
        entryScores[0] = epScore;
        int entryCount = 1;
        int linkedTop = Math.min(level, top);
        for (int l = linkedTop; l >= 0; l--) {
          int n =
              searcher.searchLevelFrom(
                  graph,
                  scorer,
                  l,
                  entryNodes,
                  entryScores,
                  entryCount,
                  beam,
                  candNodes,
                  candScores);
          selectedPerLevel[l] = select(node, l, n);
          System.arraycopy(candNodes, 0, entryNodes, 0, n);
          System.arraycopy(candScores, 0, entryScores, 0, n);
          entryCount = n;
        }
        link(node, linkedTop, selectedPerLevel);
        if (raises) {
          graph.setEntry(node, level);
        }
      } finally {
        if (raises) {
          entryLock.unlock();
        }
      }
    }

    /**
     * For {@link #reconnect}: finds {@code node}'s nearest reached nodes on level 0 (an insert's
     * search from the entry point) and links the best with room in its list to it, else makes it
     * replace the worst-scored neighbour of the best. Returns true when it replaced one.
     */
    private boolean attach(int node, boolean[] reached) {
      VectorScorer scorer = querySupplier.scorer(node);
      long entry = graph.entry();
      int ep = (int) entry;
      float epScore = scorer.score(ep);
      for (int l = (int) (entry >>> 32); l > 0; l--) {
        ep = searcher.greedyDescend(graph, scorer, l, ep, epScore);
        epScore = searcher.lastGreedyScore();
      }
      entryNodes[0] = ep;
      entryScores[0] = epScore;
      int n =
          searcher.searchLevelFrom(
              graph, scorer, 0, entryNodes, entryScores, 1, beam, candNodes, candScores);
      int best = -1;
      for (int i = 0; i < n; i++) {
        int c = candNodes[i];
        if (c == node || !reached[c]) {
          continue;
        }
        if (best < 0) {
          best = i;
        }
        synchronized (graph.lockOf(c)) {
          if (graph.tryAppend(0, c, node, candScores[i])) {
            return false;
          }
        }
      }
      if (best < 0) {
        // No reached node found (the search's upper levels led elsewhere): hang it off the entry
        // point.
        int c = (int) entry;
        candNodes[0] = c;
        candScores[0] = scorer.score(c);
        best = 0;
      }
      int target = candNodes[best];
      synchronized (graph.lockOf(target)) {
        int count = graph.neighboursWithScores(0, target, pruneNodes, pruneScores);
        if (count < graph.maxConn0()) {
          pruneNodes[count] = node;
          pruneScores[count] = candScores[best];
          graph.setNeighbours(0, target, pruneNodes, pruneScores, count + 1);
          return false;
        }
        int worst = 0;
        for (int i = 1; i < count; i++) {
          if (pruneScores[i] < pruneScores[worst]) {
            worst = i;
          }
        }
        pruneNodes[worst] = node;
        pruneScores[worst] = candScores[best];
        graph.setNeighbours(0, target, pruneNodes, pruneScores, count);
        return true;
      }
    }

    /**
     * Selects {@code node}'s neighbours on {@code level} among its {@code n} candidates into the
     * level's selection buffers; returns how many.
     */
    private int select(int node, int level, int n) {
      int cap = level == 0 ? graph.maxConn0() : graph.maxConn();
      return NeighbourSelector.select(
          candNodes,
          candScores,
          n,
          cap,
          node,
          pairSupplier,
          levelSel[level],
          levelSelScores[level]);
    }

    /**
     * Links {@code node} to its selected neighbours on every level from {@code top} down to 0, then
     * them back to it. Nothing links to the node before its own lists are set on every level.
     * Linked level by level as it was searched, a node reachable on a level whose lower lists were
     * still empty was a dead end for the inserts that went down through it (they then linked to it
     * alone), and an insert that linked to it on a lower level before its own list there was set
     * lost that link when the list was. With 4 builder threads on 2 cores (a thread preempted
     * between two levels), 8 of 250 builds of 3,000 clustered vectors lost 1-6 points of recall@10
     * (down to 0.941; a build on one thread: 1.0), and some left up to 5% of the nodes unreachable
     * on level 0; built this way, all 250 had 1.0.
     */
    private void link(int node, int top, int[] selected) {
      synchronized (graph.lockOf(node)) {
        for (int l = top; l >= 0; l--) {
          graph.setNeighbours(l, node, levelSel[l], levelSelScores[l], selected[l]);
        }
      }
      for (int l = top; l >= 0; l--) {
        int cap = l == 0 ? graph.maxConn0() : graph.maxConn();
        for (int i = 0; i < selected[l]; i++) {
          addReverse(l, levelSel[l][i], node, levelSelScores[l][i], cap);
        }
      }
    }

    /**
     * Adds {@code node} to the list of {@code target}. A full list is not re-selected from scratch
     * (O(M^2) scores); only the newcomer's relations are checked (O(M), as Lucene's NeighborArray
     * does): 1. if a neighbour nearer to the target than the newcomer is also nearer to the
     * newcomer than the target is, the newcomer is redundant: drop it; 2. otherwise evict the worst
     * neighbour the newcomer makes redundant (one that is farther from the target than the newcomer
     * and nearer to the newcomer than to the target); 3. if there is none, evict the worst
     * neighbour if it is worse than the newcomer.
     */
    private void addReverse(int level, int target, int node, float score, int cap) {
      synchronized (graph.lockOf(target)) {
        if (graph.tryAppend(level, target, node, score)) {
          return;
        }
        int n = graph.neighboursWithScores(level, target, pruneNodes, pruneScores);
        pairSupplier.scorer(node).bulkScore(pruneNodes, n, keptScores);
        int evict = -1;
        int worst = 0;
        for (int i = 0; i < n; i++) {
          float toTarget = pruneScores[i];
          float toNew = keptScores[i];
          if (toTarget > score) {
            if (toNew > score) {
              return; // step 1
            }
          } else if (toNew > toTarget && (evict < 0 || toTarget < pruneScores[evict])) {
            evict = i; // step 2
          }
          if (toTarget < pruneScores[worst]) {
            worst = i;
          }
        }
        if (evict < 0) {
          if (pruneScores[worst] >= score) {
            return; // step 3: every neighbour is better and diverse
          }
          evict = worst;
        }
        pruneNodes[evict] = node;
        pruneScores[evict] = score;
        graph.setNeighbours(level, target, pruneNodes, pruneScores, n);
      }
    }
  }
}
