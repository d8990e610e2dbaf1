export * from './api-key';
export * from './webhook-signature';
export * from './secret-box';
export * from './graph-client-state';
