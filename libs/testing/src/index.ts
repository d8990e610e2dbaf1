export * from './simulator-harness';
