#!/usr/bin/env python3
"""Does work on an HTTP event loop hold the other connections of that loop?

   bench/event-loop-stall.py index PORT POINTS   (e.g. 300000)
   bench/event-loop-stall.py body PORT POINTS    (e.g. 12000: four upserts of ~8 MB each)

Against a node at 127.0.0.1:PORT; the collection it creates is deleted at the end. Eight clients
ping GET /healthz, each on its own keep-alive connection, and the script prints their latencies
while nothing else runs and during the work below. A /healthz is answered on its connection's event
loop at once, unless that loop is busy with something else.

index: POINTS points of 64 dimensions with a keyword payload; once green, two clients search in a
  loop while a keyword index is created (wait=true): its apply holds the shard's write lock while it
  reads every payload. A quick local read run on an event loop (docs/design/read-path.md) that waits
  for the lock holds that loop for the rest of the build.
body: four upserts of POINTS points of 64 dimensions each (wait=true, one after another). A body
  parsed on the event loop that read it holds that loop while it is parsed.
"""
import http.client, json, random, sys, threading, time

MODE, PORT, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
D = 64
C = "/collections/event_loop_stall"


def conn():
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)


def call(c, method, path, body=None):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    c.request(method, path, body=data, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, r.read()


def stats(samples, windows, inside):
    v = sorted(ms for (t, ms) in samples
               if any(a <= t <= b for a, b in windows) == inside)
    if not v:
        return "none"
    return "n=%d p50=%.2f p99=%.2f max=%.1f ms" % (len(v), v[len(v) // 2], v[int(len(v) * 0.99)], v[-1])


rnd = random.Random(1)
c = conn()
call(c, "DELETE", C)
status, reply = call(c, "PUT", C, {"vectors": {"size": D, "distance": "Dot"}})
assert status == 200, reply
stop = False
pings, searches = [], []


def pinger():
    cc = conn()
    while not stop:
        t = time.time()
        call(cc, "GET", "/healthz")
        pings.append((t, (time.time() - t) * 1000))
        time.sleep(0.001)


def searcher():
    cc = conn()
    q = [rnd.random() for _ in range(D)]
    while not stop:
        t = time.time()
        call(cc, "POST", C + "/points/query", {"query": q, "limit": 10})
        searches.append((t, (time.time() - t) * 1000))


if MODE == "index":
    for start in range(0, N, 2000):
        points = [{"id": i, "vector": [rnd.random() for _ in range(D)],
                   "payload": {"k": "v%d" % (i % 100)}} for i in range(start, min(N, start + 2000))]
        status, reply = call(c, "PUT", C + "/points?wait=true", {"points": points})
        assert status == 200, reply
    while json.loads(call(c, "GET", C)[1])["result"]["status"] != "green":
        time.sleep(1)
    bodies = []
    threads = [threading.Thread(target=searcher) for _ in range(2)]
elif MODE == "body":
    bodies = [json.dumps({"points": [{"id": b * N + i, "vector": [round(rnd.random(), 6) for _ in range(D)]}
                                     for i in range(N)]}).encode() for b in range(4)]
    print("bodies of %.1f MB" % (len(bodies[0]) / 1e6))
    threads = []
else:
    sys.exit("mode: index or body")
threads += [threading.Thread(target=pinger) for _ in range(8)]
for t in threads:
    t.start()
time.sleep(2)
windows = []
if MODE == "index":
    t0 = time.time()
    status, reply = call(c, "PUT", C + "/index?wait=true", {"field_name": "k", "field_schema": "keyword"})
    windows.append((t0, time.time()))
    assert status == 200, reply
else:
    for b in bodies:
        t0 = time.time()
        status, reply = call(c, "PUT", C + "/points?wait=true", b)
        windows.append((t0, time.time()))
        assert status == 200, reply[:200]
time.sleep(1)
stop = True
for t in threads:
    t.join()
print("work took " + ", ".join("%.2f s" % (b - a) for a, b in windows))
print("healthz otherwise: " + stats(pings, windows, False))
print("healthz during:    " + stats(pings, windows, True))
if searches:
    print("search during:     " + stats(searches, windows, True))
call(c, "DELETE", C)
