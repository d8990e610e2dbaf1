import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ActivityController } from './activity.controller';
import { RequestContextInterceptor } from './request-context.interceptor';

@Module({
  controllers: [ActivityController],
  providers: [{ provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor }],
})
export class ActivityModule {}
