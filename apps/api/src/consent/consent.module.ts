import { Module } from '@nestjs/common';
import { ActiveSecretsModule, ConsentService } from '@app/onboarding';
import { RunsModule } from '../runs/runs.module';
import { ConsentController } from './consent.controller';

/** Admin-consent bootstrap: consent links with signed single-use state, and the callback. */
@Module({ imports: [RunsModule, ActiveSecretsModule], controllers: [ConsentController], providers: [ConsentService] })
export class ConsentModule {}
