import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesDir } from '../common/templates-dir';

export interface PageContext {
  /** The page title, before " - Verzuimloket". */
  title: string;
  [key: string]: unknown;
}

/**
 * The portal's pages: templates/pages/*.hbs inside layouts/main.hbs, with the partials of templates/pages/partials.
 * Compiled once at start; every value is HTML-escaped.
 */
export class PageRenderer {
  private readonly env = Handlebars.create();
  private readonly pages = new Map<string, Handlebars.TemplateDelegate>();
  private readonly layout: Handlebars.TemplateDelegate;

  constructor(dir = templatesDir('pages')) {
    const env = this.env;
    env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    env.registerHelper('includes', (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value));
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
    for (const file of readdirSync(join(dir, 'partials')).filter((f) => f.endsWith('.hbs'))) {
      env.registerPartial(file.slice(0, -4), readFileSync(join(dir, 'partials', file), 'utf8'));
    }
    this.layout = env.compile(readFileSync(join(dir, 'layouts', 'main.hbs'), 'utf8'));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
      this.pages.set(file.slice(0, -4), env.compile(readFileSync(join(dir, file), 'utf8')));
    }
  }

  render(page: string, context: PageContext): string {
    const template = this.pages.get(page);
    if (!template) throw new Error(`Onbekende pagina ${page}`);
    return this.layout({ ...context, body: new Handlebars.SafeString(template(context)) });
  }
}

/** An element id for a form field name such as "pupil.registeredAddress.street". */
export function fieldId(name: string): string {
  return `veld-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
}
