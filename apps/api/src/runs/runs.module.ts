import { Module } from '@nestjs/common';
import { RunLauncher } from '@app/onboarding';

/** Runs, bulk batches, progress (SSE), cancel and retry. */
@Module({ providers: [RunLauncher], exports: [RunLauncher] })
export class RunsModule {}
