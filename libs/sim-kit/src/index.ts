export * from './faults';
export * from './sim-server';
export * from './openapi-contract';
export * from './random';
