#!/usr/bin/env python3
"""Does a search waiting for a shard's write lock stall the HTTP event loop it runs on?

   bench/event-loop-stall.py PORT POINTS      (a node at 127.0.0.1:PORT; collection `fi` is
                                               created, then deleted)

POINTS points of 64 dimensions with a keyword payload; once the collection is green, two clients
search it in a loop and eight others ping GET /healthz (each on its own keep-alive connection), and
a keyword index is created with wait=true: its apply holds the shard's write lock while it reads
every payload. Prints /healthz latencies before and during the build. A search run on an event loop
(a quick local read, see docs/design/read-path.md) that waits for the lock holds every connection
of that loop for the rest of the build; one handed to the read pool holds only itself.
"""
import http.client, json, random, threading, time, sys
H, P = "127.0.0.1", int(sys.argv[1])
N, D = int(sys.argv[2]), 64
def conn(): return http.client.HTTPConnection(H, P, timeout=120)
def call(c, m, path, body=None):
    c.request(m, path, body=None if body is None else json.dumps(body), headers={"Content-Type": "application/json"})
    r = c.getresponse(); data = r.read(); return r.status, data
c = conn()
call(c, "DELETE", "/collections/fi")
print(call(c, "PUT", "/collections/fi", {"vectors": {"size": D, "distance": "Dot"}})[0])
rnd = random.Random(1)
for start in range(0, N, 2000):
    pts = [{"id": i, "vector": [rnd.random() for _ in range(D)], "payload": {"k": "v%d" % (i % 100), "t": "some text %d" % i}} for i in range(start, min(N, start + 2000))]
    s, d = call(c, "PUT", "/collections/fi/points?wait=true", {"points": pts})
    assert s == 200, d
while True:
    s, d = call(c, "GET", "/collections/fi")
    if json.loads(d)["result"]["status"] == "green": break
    time.sleep(1)
print("green")
stop = False
lat = []  # (t, ms) for healthz
searches = []
def searcher():
    cc = conn(); q = [rnd.random() for _ in range(D)]
    while not stop:
        t = time.time(); call(cc, "POST", "/collections/fi/points/query", {"query": q, "limit": 10}); searches.append((t, (time.time()-t)*1000))
def pinger():
    cc = conn()
    while not stop:
        t = time.time(); call(cc, "GET", "/healthz"); lat.append((t, (time.time()-t)*1000))
        time.sleep(0.002)
ts = [threading.Thread(target=searcher) for _ in range(2)] + [threading.Thread(target=pinger) for _ in range(8)]
for t in ts: t.start()
time.sleep(2)
t0 = time.time()
s, d = call(c, "PUT", "/collections/fi/index?wait=true", {"field_name": "k", "field_schema": "keyword"})
t1 = time.time()
time.sleep(1)
stop = True
for t in ts: t.join()
def stats(xs, a, b):
    v = sorted(ms for (t, ms) in xs if a <= t <= b)
    return "n=%d p50=%.2f p99=%.2f max=%.1f ms" % (len(v), v[len(v)//2], v[int(len(v)*0.99)], v[-1]) if v else "none"
print("index build %.2f s (status %d)" % (t1 - t0, s))
print("healthz before:", stats(lat, t0 - 2, t0))
print("healthz during:", stats(lat, t0, t1))
print("search during :", stats(searches, t0, t1))
call(c, "DELETE", "/collections/fi")
