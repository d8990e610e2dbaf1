import { Module } from '@nestjs/common';

/** Admin-consent bootstrap: consent links with signed single-use state, and the callback. */
@Module({})
export class ConsentModule {}
