// V8 flags of every worker launch (issue 9: worker peak RSS ≤ 300 MB during bulk onboarding). The one place they
// are written: tools/run.cjs `start worker`, `npm run stack`, libs/testing startWorker (tests, benches, demo) read
// this file; docker/Dockerfile's worker CMD spells them out and tools/checks/docker-consistency.spec.ts keeps the
// two equal. Why these values: docs/architecture.md "Worker memory".
'use strict';

const WORKER_NODE_FLAGS = Object.freeze(['--max-old-space-size=128', '--max-semi-space-size=16']);

module.exports = { WORKER_NODE_FLAGS };
