export * from './simulator-harness';
export * from './app-harness';
export * from './process-harness';
export * from './test-database';
export * from './scenario';
export * from './onboarding-stack';
