import { PageContext } from './page-renderer';

/** What a confirmation page needs: what will happen, where the form goes, and the way back without doing it. */
export interface Confirmation {
  /** The question, as the page's heading ("Sleutel Magister intrekken?"). */
  title: string;
  /** What happens, one sentence each, in the words of the person who does it. */
  consequences: string[];
  /** The address the form posts to (the action's own POST route). */
  action: string;
  /** The button that does it ("Ja, sleutel intrekken"). */
  button: string;
  /** Where "Nee, terug" leads: the page the person came from. */
  back: string;
  /** Fields the action needs as they were read (a report's version). */
  hidden?: Record<string, string | number>;
  /** A text the person may add (a reason for withdrawing). */
  explanation?: { name: string; label: string; hint?: string };
}

/**
 * Every action that cannot be undone in one click (withdraw a report, remove a location or a reporter, revoke a key)
 * asks once, on a page of its own: GET shows this page, its form POSTs to the action. One template for all
 * (templates/pages/confirm.hbs).
 */
export function confirmPage(nav: unknown, c: Confirmation, rest: Partial<PageContext> = {}): PageContext {
  return {
    ...rest, nav, title: c.title, confirm: { ...c, hidden: Object.entries(c.hidden ?? {}).map(([name, value]) => ({ name, value: String(value) })) },
  };
}
