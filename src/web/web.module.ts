import { Global, Module } from '@nestjs/common';
import { BeheerPagesController } from './beheer.pages.controller';
import { PageRenderer } from './page-renderer';
import { PortalFilter } from './portal.filter';

/**
 * The page kit of the portal: the renderer (templates/pages, one folder per capability), the error filter and the
 * /beheer index. Each capability declares its own pages controllers in its module; this module depends on none of
 * them. Global, so that every capability's pages get the renderer without importing this module.
 */
@Global()
@Module({
  controllers: [BeheerPagesController],
  providers: [{ provide: PageRenderer, useFactory: () => new PageRenderer() }, PortalFilter],
  exports: [PageRenderer, PortalFilter],
})
export class WebModule {}
