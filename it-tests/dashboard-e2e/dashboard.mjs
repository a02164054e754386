// Drives Quiver's dashboard in headless Chromium (Debian's package, through playwright-core: no
// browser download) the way a person would, saves a screenshot of every page, and prints what each
// page showed as one JSON line prefixed with "REPORT ". DashboardIT compares it with the cluster's
// real state. Any page that fails to render, or an API call without the key, fails the run.
//
//   node dashboard.mjs SPEC_FILE
//   SPEC_FILE: {"baseUrl", "apiKey", "screenshots" (a directory), "collection", "query": [..],
//               "filter": {..}, "limit", "pageSize", "chromium" (optional executable path)}
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
mkdirSync(spec.screenshots, { recursive: true });
const report = { pages: {}, unauthorizedApiCalls: [], consoleErrors: [] };

const browser = await chromium.launch({
  executablePath: spec.chromium ?? '/usr/bin/chromium',
  headless: true,
  // The machine has no outside network: keep Chromium from trying to reach it.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(20_000);
  // Failed API answers are collected below with their paths; other console errors here.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) report.consoleErrors.push(m.text());
  });
  let keySet = false;
  report.failedCalls = [];
  page.on('response', (r) => {
    if (keySet && r.status() >= 400) report.failedCalls.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname} key=${r.request().headers()['api-key'] ? 'yes' : 'no'}`);
  });
  page.on('pageerror', (e) => report.consoleErrors.push(String(e)));
  const apiCalls = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith('/dashboard')) apiCalls.push({ path, key: r.headers()['api-key'] ?? null });
  });

  // 1. Without a key: the page loads, and says a key is needed.
  await page.goto(`${spec.baseUrl}/dashboard/#/cluster`);
  await ready(page, 'cluster');
  report.withoutKey = (await page.locator('[data-testid=error]').first().textContent()) ?? '';
  await shot(page, '0-without-key');

  // 2. The key, typed once, is kept in sessionStorage and sent with every call.
  await page.fill('[data-testid=api-key]', spec.apiKey);
  keySet = true;
  await page.click('[data-testid=api-key-save]');
  await ready(page, 'cluster', '[data-testid=node-count]');
  const callsBefore = apiCalls.length;
  await page.reload();
  await ready(page, 'cluster', '[data-testid=node-count]');
  report.keyKeptAfterReload = apiCalls.slice(callsBefore).every((c) => c.key === spec.apiKey);
  report.pages.cluster = {
    nodeCount: await text(page, '[data-testid=node-count]'),
    metaLeader: await text(page, '[data-testid=meta-leader]'),
    ready: await text(page, '[data-testid=ready]'),
    nodes: await page.$$eval('[data-testid=node-row]', (rows) => rows.map((r) => ({
      id: r.getAttribute('data-node'), cells: [...r.querySelectorAll('td')].map((td) => td.textContent.trim()) }))),
  };
  await shot(page, '1-cluster');

  // 3. Collections.
  await go(page, 'collections', '[data-testid=collection-row]');
  report.pages.collections = await page.$$eval('[data-testid=collection-row]', (rows) => rows.map((r) => ({
    name: r.getAttribute('data-collection'),
    points: r.querySelector('[data-testid=points-count]').textContent.trim(),
    cells: [...r.querySelectorAll('td')].slice(0, 7).map((td) => td.textContent.trim()) })));
  await shot(page, '2-collections');

  // 4. Shards of the collection, reached by clicking its name.
  await page.click(`[data-collection="${spec.collection}"] a`);
  await ready(page, 'shards', '[data-testid=replica-row]');
  report.pages.shards = {
    selected: await page.inputValue('[data-testid=collection-select]'),
    shardCount: await text(page, '[data-testid=shard-count]'),
    replicas: await page.$$eval('[data-testid=replica-row]', (rows) => rows.map((r) => ({
      shard: Number(r.getAttribute('data-shard')), peer: r.getAttribute('data-peer'), role: r.getAttribute('data-role'),
      cells: [...r.querySelectorAll('td')].map((td) => td.textContent.trim()) }))),
    transfers: await page.locator('[data-testid=transfer-row]').count(),
  };
  await shot(page, '3-shards');

  // 5. Search console: a vector and a filter.
  await go(page, `search?c=${encodeURIComponent(spec.collection)}`, '[data-testid=search-form]');
  await page.fill('[data-testid=query-input]', JSON.stringify(spec.query));
  await page.fill('[data-testid=filter-input]', JSON.stringify(spec.filter));
  await page.fill('[data-testid=limit-input]', String(spec.limit));
  await page.click('[data-testid=search-button]');
  await page.waitForSelector('[data-testid=hit-row], [data-testid=search-results] [data-testid=error]');
  report.pages.search = {
    ids: await page.$$eval('[data-testid=hit-row]', (rows) => rows.map((r) => r.getAttribute('data-id'))),
    payloads: await page.$$eval('[data-testid=hit-row] td:nth-child(3)', (cells) => cells.map((c) => c.textContent)),
    error: await page.locator('[data-testid=search-results] [data-testid=error]').count() > 0
      ? await text(page, '[data-testid=search-results] [data-testid=error]') : null,
  };
  await shot(page, '4-search');
  // A broken filter is reported in words, not a blank page.
  await page.fill('[data-testid=filter-input]', '{"must": [');
  await page.click('[data-testid=search-button]');
  await page.waitForSelector('[data-testid=search-results] [data-testid=error]');
  report.pages.search.badFilterError = await text(page, '[data-testid=search-results] [data-testid=error]');

  // 6. Points browser: every page forward, then one back.
  await go(page, `points?c=${encodeURIComponent(spec.collection)}`, '[data-testid=point-row]');
  await page.fill('[data-testid=page-size]', String(spec.pageSize));
  await page.click('[data-testid=points-apply]');
  const pages = [];
  for (let i = 0; i < 100; i++) {
    await pageShown(page, i + 1);
    pages.push(await page.$$eval('[data-testid=point-row]', (rows) => rows.map((r) => r.getAttribute('data-id'))));
    if (i === 1) await shot(page, '5-points-page-2');
    if (await page.isDisabled('[data-testid=next-page]')) break;
    await page.click('[data-testid=next-page]');
  }
  await page.click('[data-testid=prev-page]');
  await pageShown(page, pages.length - 1);
  report.pages.points = {
    pages,
    afterPrevious: await page.$$eval('[data-testid=point-row]', (rows) => rows.map((r) => r.getAttribute('data-id'))),
    pageLabelAfterPrevious: await text(page, '[data-testid=page-number]'),
  };
  await shot(page, '6-points-previous');

  report.unauthorizedApiCalls = apiCalls.filter((c, i) => i >= callsBefore && c.key !== spec.apiKey).map((c) => c.path);
  report.apiCalls = apiCalls.length;
} finally {
  await browser.close();
}
console.log('REPORT ' + JSON.stringify(report));

async function ready(page, id, selector) {
  await page.waitForSelector(`main[data-state=ready][data-page="${id}"]`);
  if (selector) await page.waitForSelector(selector);
}

async function go(page, hash, selector) {
  await page.evaluate((h) => { location.hash = `#/${h}`; }, hash);
  await ready(page, hash.split('?')[0], selector);
}

async function pageShown(page, n) {
  await page.waitForFunction((n) => document.querySelector('[data-testid=points-body]')?.dataset.state === 'ready'
    && document.querySelector('[data-testid=page-number]')?.textContent === `Page ${n}`, n);
}

async function text(page, selector) {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

async function shot(page, name) {
  const path = join(spec.screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  (report.screenshots ??= []).push(path);
}
