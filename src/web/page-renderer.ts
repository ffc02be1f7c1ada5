import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesDir } from '../common/templates-dir';

export interface PageContext {
  /** The page title, before " - Verzuimloket". */
  title: string;
  [key: string]: unknown;
}

/**
 * The portal's pages, compiled once at start, every value HTML-escaped, each inside layouts/main.hbs. A capability's
 * pages sit in its own folder and are named after it: templates/pages/reports/report.hbs is 'reports/report'; the
 * page kit's own (error, beheer) sit at the top. Partials: templates/pages/partials/x.hbs is 'x', a capability's
 * templates/pages/identity/partials/y.hbs is 'identity/y'.
 */
export class PageRenderer {
  private readonly env = Handlebars.create();
  private readonly pages = new Map<string, Handlebars.TemplateDelegate>();
  private readonly layout: Handlebars.TemplateDelegate;

  /**
   * `restored`: the values of a form kept across an ended session, when this request opens its page for the person
   * it belongs to (KeptInputService.restoredValues); they fill the form, which is not sent again by itself.
   */
  constructor(dir = templatesDir('pages'), private readonly restored: () => Record<string, string | string[]> | null = () => null) {
    const env = this.env;
    env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    env.registerHelper('includes', (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value));
    /** Whether a checkbox's value was among the values sent for its name (once, or as a list). */
    env.registerHelper('picked', function (this: unknown, name: string, value: unknown, options: Handlebars.HelperOptions) {
      const sent = ((options.data.root as { values?: Record<string, unknown> }).values ?? {})[name];
      return Array.isArray(sent) ? sent.includes(value) : sent !== undefined && sent === value;
    });
    env.registerHelper('fieldId', (name: string) => fieldId(name));
    /** The error message for a field, from the page's `errors` list. */
    env.registerHelper('errorFor', function (this: unknown, name: string, options: Handlebars.HelperOptions) {
      const errors = (options.data.root as { errors?: { field: string; message: string }[] }).errors ?? [];
      return errors.find((e) => e.field === name)?.message;
    });
    /** The value a form field had when it was sent, so that a page with errors keeps what was typed. */
    env.registerHelper('valueOf', function (this: unknown, name: string, options: Handlebars.HelperOptions) {
      const values = (options.data.root as { values?: Record<string, unknown> }).values ?? {};
      const v = values[name];
      return v === undefined || v === null ? '' : String(v);
    });
    const hbs = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.hbs')) : []);
    for (const file of hbs(join(dir, 'partials'))) env.registerPartial(file.slice(0, -4), readFileSync(join(dir, 'partials', file), 'utf8'));
    this.layout = env.compile(readFileSync(join(dir, 'layouts', 'main.hbs'), 'utf8'));
    for (const file of hbs(dir)) this.pages.set(file.slice(0, -4), env.compile(readFileSync(join(dir, file), 'utf8')));
    const capabilities = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !['partials', 'layouts'].includes(d.name));
    for (const { name } of capabilities) {
      for (const file of hbs(join(dir, name))) this.pages.set(`${name}/${file.slice(0, -4)}`, env.compile(readFileSync(join(dir, name, file), 'utf8')));
      for (const file of hbs(join(dir, name, 'partials'))) {
        env.registerPartial(`${name}/${file.slice(0, -4)}`, readFileSync(join(dir, name, 'partials', file), 'utf8'));
      }
    }
  }

  render(page: string, context: PageContext): string {
    const template = this.pages.get(page);
    if (!template) throw new Error(`Onbekende pagina ${page}`);
    const restored = this.restored();
    if (restored) {
      context = {
        ...context, values: { ...((context.values as Record<string, unknown> | undefined) ?? {}), ...restored },
        notice: 'Wat u invulde voordat uw sessie verliep, staat weer in het formulier. Controleer het en verstuur het opnieuw.',
      };
    }
    return this.layout({ ...context, body: new Handlebars.SafeString(template(context)) });
  }
}

/** An element id for a form field name such as "pupil.registeredAddress.street". */
export function fieldId(name: string): string {
  return `veld-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
}
