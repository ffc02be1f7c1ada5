import { Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditModule } from '../audit/audit.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AppConfig } from '../config/app-config';
import { masterKey } from '../config/master-key';
import { AccessGuard, FormGuard } from './access.guard';
import { AccountsApiController } from './accounts.api.controller';
import { AccountsService } from './accounts.service';
import { ActivationService } from './activation.service';
import { ApiKeysApiController } from './api-keys.api.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthApiController } from './auth.api.controller';
import { AccountsPagesController } from './accounts.pages.controller';
import { ActivationPagesController } from './activation.pages.controller';
import { ApiKeysPagesController } from './api-keys.pages.controller';
import { AppointmentsPagesController } from './appointments.pages.controller';
import { SignInPagesController } from './sign-in.pages.controller';
import { OwnAccountPagesController } from './own-account.pages.controller';
import { OwnPasswordService } from './own-password.service';
import { prepareDummyHash } from './credentials/passwords';
import { SecretBox } from './credentials/totp';
import { SessionsService } from './sessions.service';
import { SignInService } from './sign-in.service';
import { AttemptsService } from './attempts.service';
import { HousekeepingService } from './housekeeping.service';
import { FirstRunPagesController } from './first-run.pages.controller';
import { FirstRunService } from './first-run.service';
import { RateLimitGuard, rateLimits, RateLimitStorage } from './rate-limit';

@Module({
  imports: [
    AuditModule, OrganisationsModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, Reflector, getDataSourceToken()],
      useFactory: (c: AppConfig, r: Reflector, db: DataSource) => rateLimits(c, r, new RateLimitStorage(db)),
    }),
  ],
  controllers: [
    AuthApiController, AccountsApiController, ApiKeysApiController,
    SignInPagesController, ActivationPagesController, AccountsPagesController, ApiKeysPagesController, AppointmentsPagesController, OwnAccountPagesController,
    FirstRunPagesController,
  ],
  providers: [
    ApiKeysService,
    SessionsService,
    SignInService,
    AttemptsService,
    AccountsService,
    ActivationService,
    OwnPasswordService,
    FirstRunService,
    { provide: SecretBox, inject: [AppConfig], useFactory: (c: AppConfig) => new SecretBox(masterKey(c.PGN_ENCRYPTION_KEY, c.DATA_DIR)) },
    HousekeepingService,
    // In this order: who and may (401, 403), how often (429), then the form's CSRF token and file.
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: FormGuard },
  ],
  exports: [ApiKeysService, AccountsService, SessionsService, SignInService, ActivationService, HousekeepingService, FirstRunService],
})
export class IdentityModule implements OnModuleInit {
  async onModuleInit(): Promise<void> {
    // So that the first sign-in with an unknown username takes as long as any other.
    await prepareDummyHash();
  }
}
