export * from './clients/clients.module';
export * from './runs/run-launcher.service';
export * from './runs/step-catalogue';
export * from './runs/step-change';
