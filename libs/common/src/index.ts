export * from './coded-error';
export * from './repo-root';
export * from './time';
