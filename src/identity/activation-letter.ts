import type { Response } from 'express';
import { nlDateTime } from '../common/dates';
import { Activation } from './accounts.service';
import { PageContext, PageRenderer } from '../web/page-renderer';

export interface ActivationLetter {
  nav: unknown;
  /** Where the beheerder or operator goes after printing. */
  back: { href: string; label: string };
  user: { name: string; username: string };
  organisation: string;
  /** Appointed by the operator as the organisation's beheerder, rather than given an account by its beheerder. */
  appointed: boolean;
  activation: Activation;
  publicUrl: string;
}

/**
 * The printable activation letter, for a beheerder's new account and for the operator's appointment alike. The code is
 * shown this once (no-store) and is never stored readable.
 */
export function sendActivationLetter(res: Response, pages: PageRenderer, letter: ActivationLetter): void {
  const context: PageContext = {
    title: `Activeringsbrief voor ${letter.user.name}`, nav: letter.nav, back: letter.back, user: letter.user,
    organisation: letter.organisation, appointed: letter.appointed, code: letter.activation.code,
    expiresAt: nlDateTime(letter.activation.expiresAt, 'long'), address: `${letter.publicUrl}/activeren`,
  };
  res.status(200).set('Cache-Control', 'no-store').type('html').send(pages.render('identity/activation-letter', context));
}
