export * from './simulator-harness';
export * from './test-database';
