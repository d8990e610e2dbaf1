export * from './clients/clients.module';
