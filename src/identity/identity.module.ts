import { Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AppConfig } from '../config/app-config';
import { masterKey } from '../config/master-key';
import { AccessGuard } from './access.guard';
import { AccountsApiController } from './accounts.api.controller';
import { AccountsService } from './accounts.service';
import { ActivationService } from './activation.service';
import { ApiKeysApiController } from './api-keys.api.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthApiController } from './auth.api.controller';
import { prepareDummyHash } from './credentials/passwords';
import { SecretBox } from './credentials/totp';
import { SessionsService } from './sessions.service';
import { SignInService } from './sign-in.service';

@Module({
  imports: [AuditModule, OrganisationsModule, NotificationsModule],
  controllers: [AuthApiController, AccountsApiController, ApiKeysApiController],
  providers: [
    ApiKeysService,
    SessionsService,
    SignInService,
    AccountsService,
    ActivationService,
    { provide: SecretBox, inject: [AppConfig], useFactory: (c: AppConfig) => new SecretBox(masterKey(c.PGN_ENCRYPTION_KEY, c.DATA_DIR)) },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [ApiKeysService, AccountsService, SessionsService, SignInService, ActivationService],
})
export class IdentityModule implements OnModuleInit {
  async onModuleInit(): Promise<void> {
    // So that the first sign-in with an unknown username takes as long as any other.
    await prepareDummyHash();
  }
}
