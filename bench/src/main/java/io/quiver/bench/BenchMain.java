package io.quiver.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code bin/quiver bench}. Subcommands:
 *
 * <pre>
 *   index --dataset NAME --out FILE [--engines a,b,..] [--ef 10,20,40,80,160] [--queries N]
 *         [--m 16] [--ef-construction 100] [--cache DIR]
 *     NAME: fashion-mnist | synth:N:DIM
 *   rest [--url http://127.0.0.1:6333] [--dim 128] [--batch 1000] [--upserts 20] [--queries 100] [--shards 1]
 *     end-to-end REST latency against a running node
 *   rest-search [--url URL] [--dataset fashion-mnist] [--queries 1000] [--ef 40,64] [--clients 1,4] [--ingest-clients 2] [--filter-percent 0]
 *     a real data set through REST: ingest, query latency and QPS with recall@10, beside the in-process engine
 *   quantization [--url URL] [--dataset synth:20000:128] [--queries 200] [--ef 64] [--oversampling 2]
 *     QPS and recall@10 through REST of each quantization kind (none, int8, binary, product x16)
 *   shard [--points 100000] [--dim 128] [--batch 1000] [--queries 200] [--dir DIR]
 *     one local shard: ingest with and without payload indexes, filtered search QPS and recall
 *   sparse-shard [--points 200000] [--dims 30000] [--nnz 40] [--on-disk true|false]
 *     a sparse-only shard: open time and heap in use after open, exact top-10 QPS
 *   sparse [--corpus FILE] [--queries 1000] [--k 10] [--rounds 3] [--dir DIR]
 *     BM25 sparse vectors from apt's package descriptions: Quiver's exact sparse top-k vs Lucene, 1 thread
 *   multivector [--points 20000] [--rows 16] [--dim 128] [--query-rows 16] [--queries 100] [--ef 32,64,128]
 *               [--quantization scalar,binary,product] [--oversampling 1,4]
 *     synthetic late-interaction set: Quiver's MaxSim search (float rows, then quantized rows with and without
 *     rescoring) and HNSW over multivectors vs brute force, 1 thread
 *   json-body [--points 1000] [--dims 128,784,1536] [--rounds 5] [--payload-chars 0]
 *     the node's request body reader vs Jackson's tree reader: time and allocation per body, 1 thread
 *   segments [--points 100000] [--dim 128] [--batch 1000] [--on-disk true] [--dir DIR]
 *     one local shard with segments and the optimizer: ingest rate, time to indexed, heap and RSS
 *   groups [--groups 0,40,100,200] [--shards 4] [--idle-sec 20] [--nodes 1] [--replication 1] [--out FILE]
 *     a real node process: idle CPU, RSS, threads and open files per number of shard groups; stop and restart times;
 *     with --nodes N, N nodes launched at once and the idle Raft traffic between them
 *   transfer [--points 1050000] [--dim 256] [--rate-mb 50] [--dir DIR] [--out FILE]
 *     two real node processes: a 1 GiB shard copied to a new replica, without and with a rate limit; time, rate, search latency
 *   resharding [--points 1000000] [--dim 16] [--shards 4] [--dir DIR] [--out FILE]
 *     three real node processes: resharding up under a search load; time, share of points moved, search latency
 *   lifecycle [--repeats 7] [--restarts 3] [--pause-ms 1000] [--only single,cluster,restart] [--out FILE]
 *     real node processes: collection create on one node and on a 3-node cluster, restart to ready with 10 collections
 * </pre>
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("rest")) {
      io.quiver.bench.rest.RestBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("rest-search")) {
      io.quiver.bench.rest.RestSearchBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("quantization")) {
      QuantizationRestBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("json-body")) {
      JsonBodyBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("segments")) {
      SegmentsBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("sparse-shard")) {
      SparseShardBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("sparse")) {
      SparseBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("multivector")) {
      MultiVectorBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("groups")) {
      GroupsBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("transfer")) {
      TransferBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("resharding")) {
      ReshardingBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("lifecycle")) {
      LifecycleBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("shard")) {
      ShardBenchmark.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length == 0 || !args[0].equals("index")) {
      usage("the first argument must be 'index' or 'rest'");
    }
    IndexBenchmark.Options options = parse(Arrays.copyOfRange(args, 1, args.length));
    new IndexBenchmark(options).run();
  }

  static IndexBenchmark.Options parse(String[] args) {
    String dataset = null;
    Path out = null;
    List<String> engines = IndexBenchmark.ALL_ENGINES;
    int[] efs = {10, 20, 40, 80, 160};
    int queries = Integer.MAX_VALUE;
    int m = 16;
    int efConstruction = 100;
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "quiver");
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--dataset" -> dataset = required(value, args[i++]);
        case "--out" -> out = Path.of(required(value, args[i++]));
        case "--engines" -> engines = List.of(required(value, args[i++]).split(","));
        case "--ef" ->
            efs =
                Arrays.stream(required(value, args[i++]).split(","))
                    .mapToInt(Integer::parseInt)
                    .toArray();
        case "--queries" -> queries = Integer.parseInt(required(value, args[i++]));
        case "--m" -> m = Integer.parseInt(required(value, args[i++]));
        case "--ef-construction" -> efConstruction = Integer.parseInt(required(value, args[i++]));
        case "--cache" -> cache = Path.of(required(value, args[i++]));
        default -> usage("unknown option " + args[i]);
      }
    }
    if (dataset == null || out == null) {
      usage("--dataset and --out are required");
    }
    List<String> unknown = new ArrayList<>(engines);
    unknown.removeAll(IndexBenchmark.ALL_ENGINES);
    unknown.removeAll(IndexBenchmark.EXTRA_ENGINES);
    unknown.removeAll(IndexBenchmark.TURBO_ENGINES);
    if (!unknown.isEmpty()) {
      usage(
          "unknown engines "
              + unknown
              + "; known: "
              + IndexBenchmark.ALL_ENGINES
              + " and, when named, "
              + IndexBenchmark.TURBO_ENGINES);
    }
    return new IndexBenchmark.Options(
        dataset, out, engines, efs, queries, m, efConstruction, cache);
  }

  private static String required(String value, String option) {
    if (value == null) {
      usage(option + " needs a value");
    }
    return value;
  }

  private static void usage(String problem) {
    System.err.println("quiver bench: " + problem);
    System.err.println(
        "usage: bin/quiver bench index --dataset fashion-mnist|synth:N:DIM --out FILE"
            + " [--engines "
            + String.join(",", IndexBenchmark.ALL_ENGINES)
            + "] [--ef 10,20,40,80,160]"
            + " [--queries N] [--m 16] [--ef-construction 100] [--cache DIR]");
    System.exit(2);
  }
}
