import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type * as EngineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import { charAsTextPool } from './char-as-text-pool';
import { dropProjectDatabase, generatedDatabaseName, withAdminClient, withDatabase } from './database-admin';

type Bindings = typeof EngineBindings;
let bindings: Bindings | undefined;

/** The part of the WebAssembly global we use (lib "ES2023" without "DOM" does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
}

/**
 * The engine wraps operations in timeouts (e.g. 10 s around Prisma's advisory lock) but never clears the timers
 * (the glue imports no clearTimeout), which would keep a finished process alive for 10 s. Sockets keep the event
 * loop alive while the engine really waits on the database, so its timers need not.
 */
function unrefSetTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(fn, ms).unref();
}

/**
 * Evaluates the wasm-bindgen glue (schema_engine_bg.js: ES module syntax, but only top-level `export function` /
 * `export class` declarations and no imports) as a function body in the caller's realm, returning its exports.
 * Neither `require` (real Node's would evaluate it in another realm under jest, where the glue's
 * `instanceof Promise` checks then reject the adapter's promises) nor `import()` (needs a flag under jest) fit.
 */
function evaluateGlue(gluePath: string): Bindings {
  const source = readFileSync(gluePath, 'utf8');
  const names: string[] = [];
  const body = source.replace(
    /^export (function|class) ([A-Za-z0-9_$]+)/gm,
    (_m, kind: string, name: string) => {
      names.push(name);
      return `${kind} ${name}`;
    },
  );
  if (/^\s*(import|export)\b/m.test(body)) {
    throw new Error(
      `Unexpected import/export syntax in ${gluePath}; the @prisma/schema-engine-wasm layout changed`,
    );
  }
  const factory = new Function(
    'setTimeout',
    `"use strict";\n${body}\nreturn { ${names.join(', ')} };\n//# sourceURL=${gluePath}`,
  );
  return factory(unrefSetTimeout) as Bindings;
}

/**
 * Loads Prisma's schema engine compiled to WebAssembly. The package's entry imports its .wasm as an ES module,
 * which needs --experimental-wasm-modules; instead we evaluate the wasm-bindgen glue ourselves and instantiate
 * schema_engine_bg.wasm with it, the way prisma-engines' own test executor does. No Node flag is needed, in
 * plain Node or under jest.
 */
function loadBindings(): Bindings {
  if (bindings) return bindings;
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = evaluateGlue(gluePath);
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const wasmModule = new wasm.Module(readFileSync(join(dirname(gluePath), 'schema_engine_bg.wasm')));
  const instance = new wasm.Instance(wasmModule, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  const start = instance.exports.__wbindgen_start;
  if (typeof start === 'function') (start as () => void)();
  bindings = glue;
  return bindings;
}

export function schemaEngineVersion(): string {
  return loadBindings().version();
}

function pgAdapter(url: string): Promise<SqlDriverAdapter> {
  return new PrismaPg(charAsTextPool(url), { disposeExternalPool: true }).connect();
}

/**
 * Adapter factory for the engine: the main connection goes to `databaseUrl`; a shadow database (needed to replay
 * migrations for a diff) is created on the same server under our own prefix and dropped when the engine releases
 * it — and again by `dropShadowDatabases` in case the engine failed before releasing it. (PrismaPg's own
 * connectToShadowDb would name it prisma_migrate_shadow_db_*, outside what the project may drop.)
 */
class PostgresAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@app/db-migrations';
  private readonly shadowDatabases = new Set<string>();
  /** Adapters handed to the engine: freeing the engine does not dispose them, so we close their pools ourselves. */
  private readonly adapters = new Set<SqlDriverAdapter>();

  constructor(private readonly databaseUrl: string) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(await pgAdapter(this.databaseUrl));
  }

  /** Makes dispose idempotent and remembers the adapter until it is disposed. */
  private track(adapter: SqlDriverAdapter, afterDispose?: () => Promise<void>): SqlDriverAdapter {
    const release = adapter.dispose.bind(adapter);
    let disposed: Promise<void> | undefined;
    adapter.dispose = () => {
      disposed ??= (async () => {
        this.adapters.delete(adapter);
        await release();
        await afterDispose?.();
      })();
      return disposed;
    };
    this.adapters.add(adapter);
    return adapter;
  }

  /** Disposes every adapter the engine left open and drops the shadow databases. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.adapters].map((a) => a.dispose()));
    await this.dropShadowDatabases();
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = generatedDatabaseName('shadow');
    await withAdminClient(this.databaseUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
    this.shadowDatabases.add(name);
    const adapter = await pgAdapter(withDatabase(this.databaseUrl, name));
    return this.track(adapter, () => this.dropShadowDatabases());
  }

  async dropShadowDatabases(): Promise<void> {
    if (this.shadowDatabases.size === 0) return;
    const names = [...this.shadowDatabases];
    this.shadowDatabases.clear();
    await withAdminClient(this.databaseUrl, async (c) => {
      for (const name of names) await dropProjectDatabase(c, name);
    });
  }
}

export interface EngineLog {
  level?: string;
  message: string;
}

/**
 * Runs `fn` with a schema engine connected to `databaseUrl` through @prisma/adapter-pg, then frees the engine,
 * closes its connections and drops any shadow database it created.
 */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  fn: (engine: SchemaEngine) => Promise<T>,
  onLog?: (log: EngineLog) => void,
): Promise<T> {
  const { SchemaEngine: Engine } = loadBindings();
  const factory = new PostgresAdapterFactory(databaseUrl);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const log = (line: string): void => {
    if (!onLog) return;
    try {
      const parsed = JSON.parse(line) as { level?: string; fields?: { message?: string } };
      onLog({ level: parsed.level, message: parsed.fields?.message ?? line });
    } catch {
      onLog({ message: line });
    }
  };
  const engine = await Engine.new({ datamodels: undefined }, log, bound);
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await factory.close();
  }
}
