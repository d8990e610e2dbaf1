import { Module } from '@nestjs/common';

/** Declared restore operator roles and role templates (issue: roles as declared state). */
@Module({})
export class RolesModule {}
