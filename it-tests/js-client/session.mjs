// A realistic application session with Qdrant's official JavaScript REST client, unchanged,
// against a Quiver node: node session.mjs http://127.0.0.1:PORT [API_KEY]
// With an API key, the client passes it (Qdrant's apiKey option), and a client without it is refused.
// Every call's result is asserted; the first failed assertion exits with status 1.
import { QdrantClient } from '@qdrant/js-client-rest';
import assert from 'node:assert/strict';

const url = process.argv[2];
const apiKey = process.argv[3];
const client = new QdrantClient({ url, checkCompatibility: false, ...(apiKey ? { apiKey } : {}) });
const C = 'articles';
const categories = ['science', 'sports', 'politics', 'arts'];

function vectorOf(i) {
  return [Math.sin(i), Math.cos(i), Math.sin(i / 3), 1 + (i % 5) / 10];
}
function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
}
async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    console.error(`FAIL ${name}: ${e.stack || e}`);
    if (e.data) console.error(JSON.stringify(e.data));
    process.exit(1);
  }
}

const points = [];
for (let i = 1; i <= 120; i++) {
  points.push({ id: i, vector: vectorOf(i), payload: { category: categories[i % 4], year: 2000 + (i % 20), title: `article ${i}` } });
}

await step('create collection', async () => {
  if ((await client.collectionExists(C)).exists) await client.deleteCollection(C);
  assert.equal(await client.createCollection(C, { vectors: { size: 4, distance: 'Cosine' }, shard_number: 2 }), true);
  const { collections } = await client.getCollections();
  assert.ok(collections.some((c) => c.name === C));
});

await step('upsert', async () => {
  const r = await client.upsert(C, { wait: true, points });
  assert.equal(r.status, 'completed');
  const info = await client.getCollection(C);
  assert.equal(info.points_count, 120);
  assert.equal(info.config.params.vectors.distance, 'Cosine');
});

await step('count with filter', async () => {
  const filter = { must: [{ key: 'category', match: { value: 'science' } }, { key: 'year', range: { gte: 2010 } }] };
  const expected = points.filter((p) => p.payload.category === 'science' && p.payload.year >= 2010).length;
  assert.equal((await client.count(C, { filter, exact: true })).count, expected);
});

await step('query with filter', async () => {
  const q = [0.3, -0.2, 0.9, 1.1];
  const filter = { must_not: [{ key: 'category', match: { any: ['sports', 'arts'] } }] };
  const res = await client.query(C, { query: q, filter, limit: 5, with_payload: true });
  const expected = points.filter((p) => !['sports', 'arts'].includes(p.payload.category))
    .map((p) => ({ id: p.id, score: cosine(q, p.vector) })).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, 5);
  assert.deepEqual(res.points.map((p) => p.id), expected.map((p) => p.id));
  res.points.forEach((p, i) => assert.ok(Math.abs(p.score - expected[i].score) < 1e-5));
  assert.ok(res.points.every((p) => ['science', 'politics'].includes(p.payload.category)));
});

await step('scroll pages', async () => {
  const seen = [];
  let offset = undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = await client.scroll(C, { limit: 50, offset, with_payload: false });
    seen.push(...page.points.map((p) => p.id));
    offset = page.next_page_offset;
    if (offset === null || offset === undefined) break;
  }
  assert.deepEqual(seen, points.map((p) => p.id));
});

await step('payload updates', async () => {
  await client.setPayload(C, { payload: { featured: true }, points: [1, 2], wait: true });
  let [p1] = await client.retrieve(C, { ids: [1] });
  assert.equal(p1.payload.featured, true);
  assert.equal(p1.payload.title, 'article 1');
  await client.overwritePayload(C, { payload: { title: 'rewritten' }, points: [2], wait: true });
  let [p2] = await client.retrieve(C, { ids: [2] });
  assert.deepEqual(p2.payload, { title: 'rewritten' });
  await client.deletePayload(C, { keys: ['featured'], points: [1], wait: true });
  [p1] = await client.retrieve(C, { ids: [1] });
  assert.equal(p1.payload.featured, undefined);
  await client.clearPayload(C, { points: [3], wait: true });
  const [p3] = await client.retrieve(C, { ids: [3] });
  assert.deepEqual(p3.payload, {});
  await client.setPayload(C, { payload: { reviewed: true }, filter: { must: [{ key: 'category', match: { value: 'arts' } }] }, wait: true });
  assert.equal((await client.count(C, { filter: { must: [{ key: 'reviewed', match: { value: true } }] } })).count,
    points.filter((p) => p.payload.category === 'arts' && p.id !== 3).length);
});

await step('payload index', async () => {
  const r = await client.createPayloadIndex(C, { field_name: 'category', field_schema: 'keyword', wait: true });
  assert.equal(r.status, 'completed');
  const info = await client.getCollection(C);
  assert.equal(info.payload_schema.category.data_type, 'keyword');
  assert.equal((await client.count(C, { filter: { must: [{ key: 'category', match: { value: 'sports' } }] } })).count,
    points.filter((p) => p.payload.category === 'sports').length);
});

await step('scroll ordered by a payload key', async () => {
  await client.createPayloadIndex(C, { field_name: 'year', field_schema: 'integer', wait: true });
  const res = await client.scroll(C, { order_by: { key: 'year', direction: 'desc' }, limit: 5, with_payload: false });
  // year = 2000 + i % 20: 2019 for i = 19, 39, ..., 119; ties go by id, descending with desc
  assert.deepEqual(res.points.map((p) => p.id), [119, 99, 79, 59, 39]);
  assert.ok(res.points.every((p) => p.order_value === 2019));
  assert.equal(res.next_page_offset, null);
});

await step('recommend', async () => {
  const res = await client.query(C, { query: { recommend: { positive: [10], negative: [11] } }, limit: 3 });
  assert.equal(res.points.length, 3);
  assert.ok(!res.points.some((p) => p.id === 10 || p.id === 11), 'examples are excluded');
  const old = await client.recommend(C, { positive: [10], negative: [11], limit: 3 });
  assert.deepEqual(old.map((p) => p.id), res.points.map((p) => p.id));
});

await step('aliases', async () => {
  await client.updateCollectionAliases({ actions: [{ create_alias: { alias_name: 'live', collection_name: C } }] });
  const { aliases } = await client.getAliases();
  assert.deepEqual(aliases, [{ alias_name: 'live', collection_name: C }]);
  assert.equal((await client.count('live', {})).count, 120);
});

await step('snapshots', async () => {
  const snap = await client.createSnapshot(C);
  assert.ok(snap.name.endsWith('.snapshot'));
  const list = await client.listSnapshots(C);
  assert.ok(list.some((s) => s.name === snap.name));
  // api_key (Qdrant's field): the node downloads the snapshot from its own REST API, which needs the key.
  await client.recoverSnapshot('articles_copy', { location: `${url}/collections/${C}/snapshots/${snap.name}`, ...(apiKey ? { api_key: apiKey } : {}) });
  assert.equal((await client.count('articles_copy', {})).count, 120);
  assert.equal(await client.deleteSnapshot(C, snap.name), true);
  assert.equal(await client.deleteCollection('articles_copy'), true);
});

await step('delete', async () => {
  await client.delete(C, { filter: { must: [{ key: 'category', match: { value: 'politics' } }] }, wait: true });
  // Point 2 lost its category when its payload was overwritten above.
  const politics = points.filter((p) => p.payload.category === 'politics' && p.id !== 2).length;
  assert.equal((await client.count(C, {})).count, 120 - politics);
  await client.delete(C, { points: [1, 2], wait: true });
  assert.deepEqual(await client.retrieve(C, { ids: [1, 2] }), []);
  assert.equal(await client.deleteCollection(C), true);
  assert.equal((await client.collectionExists(C)).exists, false);
});

if (apiKey) {
  await step('a client without the API key is refused', async () => {
    const anonymous = new QdrantClient({ url, checkCompatibility: false });
    await assert.rejects(anonymous.getCollections(), (e) => e.status === 401);
    const wrong = new QdrantClient({ url, checkCompatibility: false, apiKey: apiKey + 'x' });
    await assert.rejects(wrong.getCollections(), (e) => e.status === 401);
  });
}

console.log('session passed');
