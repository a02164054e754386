/**
 * Hierarchical Navigable Small World graphs (Malkov and Yashunin, "Efficient and robust approximate
 * nearest neighbor search using HNSW graphs", 2016/2018).
 *
 * <h2>Mapping of the paper's names</h2>
 *
 * <pre>
 *   paper            here                               Lucene            hnswlib
 *   M                HnswParams.maxConn (upper levels)  maxConn / M       M
 *   Mmax0 = 2M       OnHeapHnswGraph.maxConn0()         2 * maxConn       maxM0_
 *   efConstruction   HnswParams.beamWidth               beamWidth         ef_construction
 *   ef               the ef argument of search          k / fanout        ef_
 *   mL = 1/ln(M)     HnswBuilder level assignment       ml                mult_
 *   SEARCH-LAYER     HnswSearcher.searchLevel           searchLevel       searchBaseLayer
 *   SELECT-NEIGHBORS-HEURISTIC (alg. 4, without extendCandidates / keepPrunedConnections)
 *                    NeighbourSelector                  diversity check   getNeighborsByHeuristic2
 * </pre>
 *
 * <h2>What is different from the paper</h2>
 *
 * <ul>
 *   <li>Scores are similarities, higher is better (see {@code VectorScorer}); the graph never sees
 *       vectors.
 *   <li>Insertion at a level starts from all of the previous level's ef results, not only the
 *       nearest one (as Lucene does): better recall for the same efConstruction.
 *   <li>Deleted and filtered-out ordinals are traversed but never returned: the graph stays
 *       connected through them.
 * </ul>
 *
 * <h2>Layout</h2>
 *
 * Level 0 neighbour lists live in one flat {@code int[]} ({@code [count, n0 .. n(2M-1)]} per node,
 * fixed stride), the few upper-level lists in per-node arrays. Search scratch (a generation-stamped
 * visited array, two primitive long heaps, neighbour and score buffers) is owned by one {@link
 * io.quiver.index.hnsw.HnswSearcher} per thread and reused across queries.
 */
package io.quiver.index.hnsw;
