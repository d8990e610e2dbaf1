// How the worker process is launched (issue 9: worker peak RSS ≤ 300 MB during bulk onboarding). The one place
// this is written: tools/run.cjs `start worker`, `npm run stack`, libs/testing startWorker (tests, benches, demo)
// read this file; docker/Dockerfile's worker CMD and runtime ENV spell the same values out and
// tools/checks/docker-consistency.spec.ts keeps them equal. Why these values: docs/architecture.md "Worker memory".
'use strict';

/** Node/V8 flags of every worker launch. */
const WORKER_NODE_FLAGS = Object.freeze(['--max-old-space-size=128', '--max-semi-space-size=16', '--wasm-lazy-compilation', '--v8-pool-size=1']);

/**
 * Environment of every api and worker launch: glibc's malloc otherwise keeps up to 8 arenas per core, one per
 * thread that allocates (libuv's pool, V8's platform threads), each holding on to memory it freed.
 */
const SERVICE_PROCESS_ENV = Object.freeze({ MALLOC_ARENA_MAX: '2' });

module.exports = { WORKER_NODE_FLAGS, SERVICE_PROCESS_ENV };
