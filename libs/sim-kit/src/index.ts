export * from './faults';
export * from './sim-server';
