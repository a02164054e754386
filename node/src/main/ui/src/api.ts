// Calls to the node's REST API (Qdrant's, plus Quiver's extensions), with the API key the user
// typed: kept in sessionStorage (gone when the tab closes) and sent as the `api-key` header.

const KEY_STORAGE = 'quiver.apiKey';

export function apiKey(): string {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function setApiKey(key: string): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/** An answer other than 2xx: the HTTP status and Qdrant's error text. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Calls `path` and returns the `result` of Qdrant's envelope. */
function keyHeaders(): Record<string, string> {
  const key = apiKey();
  return key ? { 'api-key': key } : {};
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers = keyHeaders();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed: { result?: T; status?: { error?: string } | string } | undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = typeof parsed?.status === 'object' ? parsed.status.error : undefined;
    throw new ApiError(response.status, error ?? (text || response.statusText));
  }
  return parsed?.result as T;
}

/** A plain-text endpoint such as /readyz: its status and body (the key is sent too; health checks ignore it). */
export async function probe(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(path, { headers: keyHeaders() });
  return { status: response.status, text: await response.text() };
}

// Shapes of the answers the UI reads (only the fields it uses).

export interface ClusterInfo {
  peer_id: number;
  peers: Record<string, { uri: string; rest_uri?: string }>;
  raft_info: { term: number; commit: number; pending_operations: number; leader: number | null; role: string; is_voter: boolean };
}

export interface Telemetry {
  id: string;
  app: { name: string; version: string; startup: string };
}

export interface VectorParams {
  size?: number;
  distance?: string;
}

export interface CollectionInfo {
  status: string;
  optimizer_status: unknown;
  points_count: number | null;
  indexed_vectors_count?: number | null;
  segments_count: number;
  config: {
    params: {
      vectors?: VectorParams | Record<string, VectorParams>;
      sparse_vectors?: Record<string, unknown>;
      shard_number?: number;
      replication_factor?: number;
      write_consistency_factor?: number;
    };
    hnsw_config?: unknown;
    optimizer_config?: unknown;
  } & Record<string, unknown>;
  payload_schema?: Record<string, unknown>;
}

export interface ReplicaView {
  peer_id: number;
  state: 'Active' | 'Initializing' | 'Unreachable';
  role?: string;
  commit_index?: number;
  applied_index?: number;
  lag?: number;
  problem?: string;
}

export interface ShardReplicas {
  shards: { shard_id: number; leader: number | null; leader_commit: number | null; replicas: ReplicaView[] }[];
  transfers: { shard_id: number; to_peer_id: number; progress?: number }[];
}

export interface CollectionCluster {
  shard_count: number;
  shard_transfers: { shard_id: number; from: number; to: number; sync?: boolean; comment?: string }[];
}

export type PointId = number | string;

export interface ScoredPoint {
  id: PointId;
  score: number;
  payload?: Record<string, unknown> | null;
  vector?: unknown;
}

export interface Record_ {
  id: PointId;
  payload?: Record<string, unknown> | null;
  vector?: unknown;
}

export interface ScrollResult {
  points: Record_[];
  next_page_offset: PointId | null;
}

export const encode = encodeURIComponent;

/**
 * Peer ids are 64-bit: as JSON numbers they lose digits in JavaScript, but the keys of
 * `/cluster`'s `peers` are exact strings. Maps an id as parsed (rounded) to its exact text.
 */
export async function peerNames(): Promise<(id: number) => string> {
  const cluster = await api<ClusterInfo>('GET', '/cluster');
  const names = new Map(Object.keys(cluster.peers).map((k) => [Number(k), k]));
  return (id: number) => names.get(id) ?? String(id);
}
