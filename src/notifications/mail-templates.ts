import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesDir } from '../common/templates-dir';
import { MailTemplate } from './outbox-message.entity';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

type Compiled = Handlebars.TemplateDelegate;

/**
 * The e-mail templates of templates/mail, compiled once: for each template a subject, an HTML body and a plain-text
 * body, wrapped in the one layout, sharing the partials. HTML escapes every value; the plain text and the subject
 * are not HTML and escape nothing.
 */
export class MailTemplates {
  private readonly compiled = new Map<string, { subject: Compiled; html: Compiled; text: Compiled }>();
  private readonly layouts: { html: Compiled; text: Compiled };

  constructor(dir = templatesDir('mail')) {
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    const html = Handlebars.create();
    const text = Handlebars.create();
    for (const env of [html, text]) {
      env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
      for (const file of readdirSync(join(dir, 'partials')).filter((f) => f.endsWith('.hbs'))) {
        env.registerPartial(file.slice(0, -4), read(join('partials', file)).trim());
      }
    }
    const plain = { noEscape: true, strict: false };
    this.layouts = { html: html.compile(read('layout.html.hbs')), text: text.compile(read('layout.text.hbs'), plain) };
    for (const name of Object.values(MailTemplate)) {
      this.compiled.set(name, {
        subject: text.compile(read(`${name}.subject.hbs`), plain),
        html: html.compile(read(`${name}.html.hbs`)),
        text: text.compile(read(`${name}.text.hbs`), plain),
      });
    }
  }

  render(name: MailTemplate, data: Record<string, unknown>): RenderedMail {
    const t = this.template(name);
    const subject = this.subject(name, data);
    const context = { ...data, subject };
    return {
      subject,
      html: this.layouts.html({ ...context, body: t.html(context) }),
      text: this.layouts.text({ ...context, body: t.text(context).trim() }).replace(/\n{3,}/g, '\n\n').trim() + '\n',
    };
  }

  /** The subject on one line (a header cannot hold a line break). */
  subject(name: MailTemplate, data: Record<string, unknown>): string {
    return this.template(name).subject(data).replace(/\s+/g, ' ').trim();
  }

  private template(name: MailTemplate) {
    const t = this.compiled.get(name);
    if (!t) throw new Error(`Onbekende e-mailsjabloon ${name}`);
    return t;
  }
}
