import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Actor } from './actor';
import { Permission } from './permission';

export { Permission } from './permission';


export const ALLOW_KEY = 'verzuimloket:allow';
export const PUBLIC_KEY = 'verzuimloket:public';

/** The permission a route needs. Routes without `@Allow` or `@Public` are refused to everyone. */
export const Allow = (permission: Permission) => SetMetadata(ALLOW_KEY, permission);

/** A route anyone may call (health, documentation). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The authenticated caller. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<{ actor: Actor }>().actor;
});
