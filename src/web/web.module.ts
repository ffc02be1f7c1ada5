import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { BeheerPagesController } from './beheer.pages.controller';
import { KeptInputMiddleware, KeptInputService } from './kept-input.service';
import { PageRenderer } from './page-renderer';
import { PortalFilter } from './portal.filter';

/**
 * The page kit of the portal: the renderer (templates/pages, one folder per capability), the error filter, the
 * memory for input kept across an ended session and one-time results (KeptInputService), and the /beheer index.
 * Each capability declares its own pages controllers in its module; this module depends on none of them. Global, so
 * that every capability's pages get the renderer without importing this module.
 */
@Global()
@Module({
  controllers: [BeheerPagesController],
  providers: [
    KeptInputService,
    { provide: PageRenderer, inject: [KeptInputService], useFactory: (kept: KeptInputService) => new PageRenderer(undefined, () => kept.restoredValues()) },
    PortalFilter,
  ],
  exports: [PageRenderer, PortalFilter, KeptInputService],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(KeptInputMiddleware).forRoutes('{*path}');
  }
}
