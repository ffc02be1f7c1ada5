import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { ApiKeysService } from './api-keys.service';

@Module({
  providers: [ApiKeysService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [ApiKeysService],
})
export class IdentityModule {}
