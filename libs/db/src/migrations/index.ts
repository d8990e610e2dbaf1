export * from './apply-migrations';
export * from './database-admin';
export * from './diff-migrations';
export * from './migration-errors';
export * from './migration-list';
export { schemaEngineVersion, type EngineLog } from './schema-engine';
