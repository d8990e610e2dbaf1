import type { Redis } from 'ioredis';

/** How the product wires a VB365 client: supplied by the configuration library, never read from env here. */
export interface Vb365ClientOptions {
  /** e.g. https://vb365.example.local:4443 (no /v8). */
  baseUrl: string;
  /** DOMAIN\user of a VB365 administrator. */
  username: string;
  password: string;
  /** PEM file with the server's certificate or CA (VB365 servers often use self-signed certificates). */
  caBundlePath?: string;
  /** PEM content instead of a path. */
  caBundle?: string;
  /** Cluster-wide cap on concurrent requests to this server (default 8). */
  maxConcurrent?: number;
  /** Redis client used for the cap; required unless `concurrency: 'local'`. */
  redis?: Redis;
  /** Key prefix for the cap's keys (default "vb365:"); tests use a unique prefix. */
  keyPrefix?: string;
  /** A cap slot is leased, so a crashed process frees it after this long (default 30 s). */
  leaseMs?: number;
  /** 'redis' (default when `redis` is given) or 'local' (single-process deployments and unit tests). */
  concurrency?: 'redis' | 'local';
  /** Per-request timeout (default 60 s; long polls add their own wait). */
  requestTimeoutMs?: number;
  /** Retries for TRANSIENT failures of idempotent requests (default 3). */
  maxRetries?: number;
  retryBaseMs?: number;
  /** Refresh the token when less than this remains (default 120 s, at most a third of the lifetime). */
  refreshAheadMs?: number;
  /** Page size for listings (default 100; VB365 max 10,000). */
  pageSize?: number;
}
