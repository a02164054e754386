package io.quiver.bench;

import io.quiver.index.hnsw.OrdFilter;
import io.quiver.index.hnsw.TopHits;
import io.quiver.index.sparse.GrowingSparseIndex;
import io.quiver.index.sparse.MappedSparseIndex;
import io.quiver.index.sparse.OrdTieOrder;
import io.quiver.index.sparse.SparseIndexFormat;
import io.quiver.index.sparse.SparsePostings;
import io.quiver.index.sparse.SparseSearcher;
import io.quiver.index.sparse.SparseVector;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.FeatureField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

/**
 * {@code bin/quiver bench sparse}: BM25-weighted sparse vectors from real text (the English package
 * descriptions of Debian's main archive, apt's {@code Translation-en}), one document per
 * description paragraph, queries from package short descriptions. Measures, on one thread: Quiver's
 * exact sparse top-10 (heap index and mapped file) with recall against brute force, and Lucene's
 * top-10 over the same weights ({@link FeatureField} linear queries in a disjunction, which Lucene
 * scores with its block-max pruning), plus memory per posting of each.
 *
 * <pre>
 *   sparse [--corpus FILE] [--queries 1000] [--k 10] [--dir DIR] [--rounds 3]
 * </pre>
 *
 * Without {@code --corpus}, the corpus is produced from apt's lists: {@code apt-get update -o
 * Acquire::Languages=en} (as root) when the Translation-en file is missing, then {@code apt-helper
 * cat-file} to decompress it.
 */
public final class SparseBenchmark {

  private static final double K1 = 1.2;
  private static final double B = 0.75;
  private static final Path APT_LISTS = Path.of("/var/lib/apt/lists");

  private SparseBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path corpus = null;
    int queryCount = 1000;
    int k = 10;
    int rounds = 3;
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "quiver-sparse-bench");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--corpus" -> corpus = Path.of(args[++i]);
        case "--queries" -> queryCount = Integer.parseInt(args[++i]);
        case "--k" -> k = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Files.createDirectories(dir);
    if (corpus == null) {
      corpus = aptCorpus(dir);
    }
    Corpus c = Corpus.read(corpus, queryCount);
    System.out.printf(
        Locale.ROOT,
        "corpus: %s: %d documents (description paragraphs), %d terms, %d postings, %d queries%n",
        corpus,
        c.docs.size(),
        c.vocabulary.size(),
        c.postings,
        c.queries.size());
    run(c, k, rounds, dir);
  }

  /**
   * Decompresses apt's Translation-en of the main archive (fetching the lists first when missing).
   */
  static Path aptCorpus(Path dir) throws IOException, InterruptedException {
    Path source = findTranslation();
    if (source == null) {
      System.out.println("fetching apt's Translation-en: apt-get update -o Acquire::Languages=en");
      exec(List.of("apt-get", "update", "-o", "Acquire::Languages=en"), null);
      source = findTranslation();
      if (source == null) {
        throw new IOException(
            "no *_main_i18n_Translation-en* under " + APT_LISTS + " after apt-get update");
      }
    }
    Path out = dir.resolve("Translation-en.txt");
    exec(List.of("/usr/lib/apt/apt-helper", "cat-file", source.toString()), out);
    return out;
  }

  private static Path findTranslation() throws IOException {
    if (!Files.isDirectory(APT_LISTS)) {
      return null;
    }
    try (var files = Files.list(APT_LISTS)) {
      return files
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return n.contains("_dists_bookworm_main_i18n_Translation-en")
                    || (n.contains("_main_i18n_Translation-en")
                        && !n.contains("security")
                        && !n.contains("updates"));
              })
          .sorted()
          .findFirst()
          .orElse(null);
    }
  }

  private static void exec(List<String> command, Path stdout)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(stdout == null);
    if (stdout != null) {
      pb.redirectOutput(stdout.toFile());
    } else {
      pb.inheritIO();
    }
    Process p = pb.start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue());
    }
  }

  /** The documents as BM25-weighted sparse vectors, and the queries (unit weight per term). */
  static final class Corpus {
    final List<SparseVector> docs = new ArrayList<>();
    final List<SparseVector> queries = new ArrayList<>();
    final List<String> queryTexts = new ArrayList<>();
    final Map<String, Integer> vocabulary = new HashMap<>();
    long postings;

    static Corpus read(Path file, int queryCount) throws IOException {
      List<List<String>> paragraphs = new ArrayList<>();
      List<String> titles = new ArrayList<>();
      StringBuilder paragraph = new StringBuilder();
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("Description-en: ")) {
            flush(paragraph, paragraphs);
            String title = line.substring("Description-en: ".length());
            titles.add(title);
            paragraph.append(title).append(' ');
          } else if (line.equals(" .") || line.isEmpty() || !line.startsWith(" ")) {
            flush(paragraph, paragraphs);
          } else {
            paragraph.append(line, 1, line.length()).append(' ');
          }
        }
      }
      flush(paragraph, paragraphs);
      Corpus c = new Corpus();
      c.weigh(paragraphs);
      Random random = new Random(42);
      while (c.queries.size() < queryCount) {
        String title = titles.get(random.nextInt(titles.size()));
        List<String> terms = tokens(title);
        Map<Integer, Float> q = new HashMap<>();
        for (String t : terms) {
          Integer id = c.vocabulary.get(t);
          if (id != null) {
            q.put(id, 1f);
          }
        }
        if (!q.isEmpty()) {
          c.queries.add(vector(q));
          c.queryTexts.add(title);
        }
      }
      return c;
    }

    private static void flush(StringBuilder paragraph, List<List<String>> out) {
      if (paragraph.length() > 0) {
        List<String> t = tokens(paragraph.toString());
        if (!t.isEmpty()) {
          out.add(t);
        }
        paragraph.setLength(0);
      }
    }

    /**
     * BM25 document weights: tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)) * ln(1 + (N - n +
     * 0.5) / (n + 0.5)).
     */
    private void weigh(List<List<String>> paragraphs) {
      Map<Integer, Integer> df = new HashMap<>();
      List<Map<Integer, Integer>> tfs = new ArrayList<>(paragraphs.size());
      long totalLength = 0;
      for (List<String> p : paragraphs) {
        Map<Integer, Integer> tf = new HashMap<>();
        for (String t : p) {
          tf.merge(vocabulary.computeIfAbsent(t, x -> vocabulary.size()), 1, Integer::sum);
        }
        tf.keySet().forEach(id -> df.merge(id, 1, Integer::sum));
        tfs.add(tf);
        totalLength += p.size();
      }
      double avgdl = (double) totalLength / paragraphs.size();
      int n = paragraphs.size();
      for (int i = 0; i < n; i++) {
        int dl = paragraphs.get(i).size();
        Map<Integer, Float> weights = new HashMap<>();
        tfs.get(i)
            .forEach(
                (id, tf) -> {
                  double idf = Math.log(1 + (n - df.get(id) + 0.5) / (df.get(id) + 0.5));
                  weights.put(
                      id, (float) (tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl)) * idf));
                });
        docs.add(vector(weights));
        postings += weights.size();
      }
    }

    private static SparseVector vector(Map<Integer, Float> weights) {
      int[] indices = new int[weights.size()];
      float[] values = new float[weights.size()];
      int i = 0;
      for (Map.Entry<Integer, Float> e : weights.entrySet()) {
        indices[i] = e.getKey();
        values[i++] = e.getValue();
      }
      return SparseVector.of(indices, values);
    }

    static List<String> tokens(String text) {
      List<String> out = new ArrayList<>();
      for (String t : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
        if (t.length() >= 2) {
          out.add(t);
        }
      }
      return out;
    }
  }

  static void run(Corpus c, int k, int rounds, Path dir) throws Exception {
    long t0 = System.nanoTime();
    GrowingSparseIndex heap = new GrowingSparseIndex();
    for (int ord = 0; ord < c.docs.size(); ord++) {
      heap.add(ord, c.docs.get(ord));
    }
    double heapBuild = (System.nanoTime() - t0) / 1e9;
    Path file = dir.resolve("sparse.qsp");
    t0 = System.nanoTime();
    SparseIndexFormat.write(file, heap);
    double fileWrite = (System.nanoTime() - t0) / 1e9;
    int[][] truth = bruteForce(c, heap, k);
    float[] truthKth = new float[truth.length];
    try (MappedSparseIndex mapped = SparseIndexFormat.open(file)) {
      System.out.printf(
          Locale.ROOT,
          "quiver: heap index built in %.2f s, %d postings, %.2f bytes/posting on the heap"
              + " (arrays' capacity included); file written in %.2f s, %.2f bytes/posting in the file%n",
          heapBuild,
          heap.postingCount(),
          (double) heap.heapBytes() / heap.postingCount(),
          fileWrite,
          (double) mapped.fileBytes() / mapped.postingCount());
      LuceneSide lucene = LuceneSide.build(c, dir.resolve("lucene"));
      System.out.printf(
          Locale.ROOT,
          "lucene: indexed in %.2f s (FeatureField, force-merged to 1 segment), %.2f bytes/posting"
              + " (whole index directory)%n",
          lucene.buildSeconds,
          (double) lucene.bytes / c.postings);
      System.out.println();
      System.out.println(
          "engine                          QPS (1 thread)   recall@" + k + "   scored/query");
      for (int round = 0; round < rounds; round++) {
        report("quiver sparse (heap)", c, heap, k, truth, round);
        report("quiver sparse (mapped file)", c, mapped, k, truth, round);
        lucene.report(c, k, truth, heap, round);
      }
      lucene.close();
    }
  }

  private static void report(
      String name, Corpus c, SparsePostings index, int k, int[][] truth, int round) {
    int[][] results = new int[c.queries.size()][];
    long scored = 0;
    long t0 = System.nanoTime();
    for (int q = 0; q < c.queries.size(); q++) {
      TopHits hits =
          SparseSearcher.search(index, c.queries.get(q), k, OrdFilter.ALL, OrdTieOrder.BY_ORD);
      results[q] = hits.ords();
      scored += hits.visited();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%-30s %10.1f   %10.4f   %10.0f   (round %d)%n",
        name,
        c.queries.size() / seconds,
        recall(c, truth, results, k),
        (double) scored / c.queries.size(),
        round + 1);
  }

  /**
   * Exact top k by exhaustive term-at-a-time accumulation (every posting of every query term), ties
   * by ord: the oracle.
   */
  static int[][] bruteForce(Corpus c, GrowingSparseIndex index, int k) {
    double[] acc = new double[c.docs.size()];
    boolean[] touched = new boolean[c.docs.size()];
    int[][] out = new int[c.queries.size()][];
    for (int q = 0; q < c.queries.size(); q++) {
      SparseVector query = c.queries.get(q);
      List<Integer> docs = new ArrayList<>();
      for (int i = 0; i < query.size(); i++) {
        var list = index.postings(query.index(i));
        if (list == null) {
          continue;
        }
        for (int p = 0; p < list.size(); p++) {
          int ord = list.ord(p);
          if (!touched[ord]) {
            touched[ord] = true;
            docs.add(ord);
          }
          acc[ord] += (double) query.value(i) * list.value(p);
        }
      }
      docs.sort(
          (a, b) -> {
            int cmp = Float.compare((float) acc[b], (float) acc[a]);
            return cmp != 0 ? cmp : Integer.compare(a, b);
          });
      out[q] =
          docs.subList(0, Math.min(k, docs.size())).stream().mapToInt(Integer::intValue).toArray();
      for (int ord : docs) {
        acc[ord] = 0;
        touched[ord] = false;
      }
    }
    return out;
  }

  /** The fraction of true top-k hits found; a hit tying the k-th true score counts as found. */
  static double recall(Corpus c, int[][] truth, int[][] results, int k) {
    long found = 0;
    long total = 0;
    for (int q = 0; q < truth.length; q++) {
      total += truth[q].length;
      if (truth[q].length == 0) {
        continue;
      }
      SparseVector query = c.queries.get(q);
      float kth = c.docs.get(truth[q][truth[q].length - 1]).dot(query);
      int[] sorted = truth[q].clone();
      Arrays.sort(sorted);
      for (int ord : results[q]) {
        if (Arrays.binarySearch(sorted, ord) >= 0 || c.docs.get(ord).dot(query) == kth) {
          found++;
        }
      }
    }
    return total == 0 ? 1.0 : (double) found / total;
  }

  /** Lucene over the same weights: one FeatureField per (document, term). */
  static final class LuceneSide implements AutoCloseable {
    final FSDirectory directory;
    final DirectoryReader reader;
    final IndexSearcher searcher;
    final double buildSeconds;
    final long bytes;

    private LuceneSide(FSDirectory directory, double buildSeconds, long bytes) throws IOException {
      this.directory = directory;
      this.reader = DirectoryReader.open(directory);
      this.searcher = new IndexSearcher(reader);
      this.searcher.setQueryCache(null);
      this.buildSeconds = buildSeconds;
      this.bytes = bytes;
    }

    static LuceneSide build(Corpus c, Path path) throws IOException {
      if (Files.exists(path)) {
        try (var files = Files.walk(path)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      long t0 = System.nanoTime();
      FSDirectory directory = FSDirectory.open(path);
      try (IndexWriter writer =
          new IndexWriter(directory, new IndexWriterConfig().setRAMBufferSizeMB(256))) {
        for (SparseVector doc : c.docs) {
          Document d = new Document();
          for (int i = 0; i < doc.size(); i++) {
            d.add(new FeatureField("f", Integer.toString(doc.index(i)), doc.value(i)));
          }
          writer.addDocument(d);
        }
        writer.forceMerge(1);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long bytes = 0;
      for (String f : directory.listAll()) {
        bytes += directory.fileLength(f);
      }
      return new LuceneSide(directory, seconds, bytes);
    }

    Query query(SparseVector q) {
      BooleanQuery.Builder b = new BooleanQuery.Builder();
      for (int i = 0; i < q.size(); i++) {
        b.add(
            FeatureField.newLinearQuery("f", Integer.toString(q.index(i)), q.value(i)),
            BooleanClause.Occur.SHOULD);
      }
      return b.build();
    }

    void report(Corpus c, int k, int[][] truth, GrowingSparseIndex heap, int round)
        throws IOException {
      Query[] queries = new Query[c.queries.size()];
      for (int q = 0; q < queries.length; q++) {
        queries[q] = query(c.queries.get(q));
      }
      int[][] results = new int[queries.length][];
      long t0 = System.nanoTime();
      for (int q = 0; q < queries.length; q++) {
        TopDocs top = searcher.search(queries[q], k);
        results[q] = Arrays.stream(top.scoreDocs).mapToInt(d -> d.doc).toArray();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%-30s %10.1f   %10.4f   %10s   (round %d; FeatureField keeps 9 significant bits"
              + " of each weight)%n",
          "lucene FeatureField",
          queries.length / seconds,
          recall(c, truth, results, k),
          "-",
          round + 1);
    }

    @Override
    public void close() throws IOException {
      reader.close();
      directory.close();
    }
  }
}
