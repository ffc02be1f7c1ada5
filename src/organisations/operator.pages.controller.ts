import { Body, Controller, Get, Header, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FieldCode, FieldError, notFound } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { KIND_LABELS, ReportKind } from '../kernel/report-codes';
import { fieldErrorsOf, flatten, options, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext, PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { Upload, uploadOf } from '../web/upload';
import { DuoImportResult, DuoImportService } from './duo-import.service';
import { OrganisationPage, TYPE_LABELS } from './organisation-page';
import {
  DelegationInput, DuoImportInput, NewOfficeInput, NewSchoolInput, OrganisationSearch, RoutingRuleInput, SCHOOL_SECTORS,
} from './organisation.dto';
import { Organisation } from './organisation.entity';
import { OrganisationsService } from './organisations.service';

const SECTOR_LABELS: Record<(typeof SCHOOL_SECTORS)[number], string> = {
  PO: 'Primair onderwijs (PO)', VO: 'Voortgezet onderwijs (VO)', MBO: 'Middelbaar beroepsonderwijs (MBO)', SO: 'Speciaal onderwijs ((V)SO)',
};
const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
/** DUO's file of one sector's school locations, as the upload form takes it. */
const DUO_FILE = { field: 'bestand', maxBytes: 20 * 1024 * 1024 };

const LABELS = {
  school: { brin: 'BRIN-code', name: 'Naam van de school', sector: 'Sector' },
  office: { code: 'Code van het bureau', name: 'Naam van het bureau' },
  delegation: { office: 'Regionaal bureau', municipality: 'Gemeente' },
  routing: { municipality: 'Gemeente', kind: 'Soort melding', target: 'Ontvanger' },
  import: { sector: 'Sector van nieuwe scholen', bestand: 'Bestand' },
  search: { type: 'Soort', q: 'Code of naam bevat', after: 'Pagina', before: 'Pagina' },
};
/** What the operator just did, said on the page they come back to. */
const DONE: Record<string, string> = {
  school: 'De school is aangemaakt. Wijs nu de eerste beheerder aan.',
  bureau: 'Het regionaal bureau is aangemaakt. Wijs nu de eerste beheerder aan.',
  delegatie: 'De delegatie is opgeslagen.',
  'delegatie-opgeheven': 'De delegatie is opgeheven: de gemeente ontvangt haar meldingen weer zelf.',
  routering: 'De alternatieve routering is opgeslagen.',
  'routering-opgeheven': 'De alternatieve routering is opgeheven.',
  beheerder: 'Het account is aangemaakt. De activeringslink is per e-mail verstuurd; hij is beperkt geldig.',
};

/**
 * For the operator: organisations, delegations and alternative routing, the first beheerder of an organisation, and
 * the import of DUO's file of school locations. The same services as the command line (src/cli.ts) and the API; each
 * change is in the operator's audit log, in the same transaction as the change.
 *
 * The fixed pages (nieuwe-school, nieuw-bureau, routering, duo-import) come before /organisaties/:code, so a
 * regional office given one of those words as its code would have no page of its own.
 */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('organisaties')
export class OperatorPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly organisations: OrganisationsService,
    private readonly duo: DuoImportService,
    private readonly page: OrganisationPage,
  ) {}

  @Get()
  @Allow(Permission.ORGANISATION_MANAGE)
  async list(@CurrentActor() actor: Actor, @Query() query: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(query);
    const { input, errors } = await validateAs(OrganisationSearch, values);
    const found = input ? await this.organisations.search(input) : { organisations: [], total: 0, next: null, previous: null };
    const link = (key: 'after' | 'before', code: string | null) => {
      if (!code) return null;
      const params = new URLSearchParams(Object.entries({ type: input?.type, q: input?.q }).filter((e): e is [string, string] => !!e[1]));
      params.set(key, code);
      return `/organisaties?${params}`;
    };
    res.status(errors.length ? 422 : 200).type('html').send(this.pages.render('organisations/operator-organisations', {
      title: 'Organisaties', nav: nav(actor, 'operator'), values, errors: pageErrors(errors, LABELS.search),
      types: options(TYPE_LABELS), total: found.total, filtered: !!(input?.type || input?.q),
      organisations: found.organisations.map((o) => ({
        code: o.code, name: o.name, type: TYPE_LABELS[o.type], delegate: o.delegate ? `${o.delegate.name} (${o.delegate.code})` : null,
      })),
      next: link('after', found.next), previous: link('before', found.previous), paging: !!(found.next || found.previous),
    }));
  }

  @Get('nieuwe-school')
  @Allow(Permission.ORGANISATION_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  newSchool(@CurrentActor() actor: Actor): string {
    return this.pages.render('organisations/operator-new-school', this.newSchoolContext(actor, { sector: 'PO' }, []));
  }

  @Post('nieuwe-school')
  @Allow(Permission.ORGANISATION_MANAGE)
  async createSchool(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(form);
    const { input, errors } = await validateAs(NewSchoolInput, values);
    let problems = errors;
    if (input) {
      try {
        const school = await this.organisations.createSchool(input.brin, input.name, input.sector, actor);
        res.redirect(303, `/organisaties/${encodeURIComponent(school.code)}?gedaan=school`);
        return;
      } catch (error) {
        // The service names the code "code"; on this form it is the BRIN.
        problems = fieldErrorsOf(error).map((e) => (e.field === 'code' ? { ...e, field: 'brin' } : e));
      }
    }
    res.status(422).type('html').send(this.pages.render('organisations/operator-new-school', this.newSchoolContext(actor, values, pageErrors(problems, LABELS.school))));
  }

  @Get('nieuw-bureau')
  @Allow(Permission.ORGANISATION_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  newOffice(@CurrentActor() actor: Actor): string {
    return this.pages.render('organisations/operator-new-office', { title: 'Nieuw regionaal bureau', nav: nav(actor, 'operator'), values: {}, errors: [] });
  }

  @Post('nieuw-bureau')
  @Allow(Permission.ORGANISATION_MANAGE)
  async createOffice(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(form);
    const { input, errors } = await validateAs(NewOfficeInput, values);
    let problems = errors;
    if (input) {
      try {
        const office = await this.organisations.createOffice(input.code, input.name, actor);
        res.redirect(303, `/organisaties/${encodeURIComponent(office.code)}?gedaan=bureau`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('organisations/operator-new-office', {
      title: 'Nieuw regionaal bureau', nav: nav(actor, 'operator'), values, errors: pageErrors(problems, LABELS.office),
    }));
  }

  @Get('routering')
  @Allow(Permission.ORGANISATION_MANAGE)
  async routing(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined, @Res() res: Response): Promise<void> {
    res.type('html').send(this.pages.render('organisations/operator-routing', await this.routingContext(actor, {}, [], DONE[done ?? ''])));
  }

  /** Sets a rule, or with the "opheffen" button of a rule in the table (or an empty target) removes it. */
  @Post('routering')
  @Allow(Permission.ORGANISATION_MANAGE)
  async setRouting(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const clear = form.opheffen !== undefined;
    const values = unflatten(form, ['_csrf', 'opheffen', ...(clear ? ['target'] : [])]);
    const { input, errors } = await validateAs(RoutingRuleInput, values);
    let problems = errors;
    if (input && !clear && !input.target) {
      problems = [{ field: 'target', code: FieldCode.REQUIRED, message: 'target: is verplicht' }];
    } else if (input) {
      try {
        await this.organisations.setRoutingRule(input.municipality, input.kind, input.target ?? null, actor);
        res.redirect(303, `/organisaties/routering?gedaan=${input.target ? 'routering' : 'routering-opgeheven'}`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('organisations/operator-routing', await this.routingContext(actor, values, pageErrors(problems, LABELS.routing))));
  }

  @Get('duo-import')
  @Allow(Permission.ORGANISATION_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  importForm(@CurrentActor() actor: Actor): string {
    return this.pages.render('organisations/operator-import', this.importContext(actor, { sector: 'PO' }, []));
  }

  /**
   * DUO's file, sent as multipart/form-data: read by the access guard once it knows the sender may import and the
   * form's `_csrf` field (sent before the file) is right. The result is shown at once (importing the same file again
   * changes nothing).
   */
  @Post('duo-import')
  @Allow(Permission.ORGANISATION_MANAGE)
  @Upload(DUO_FILE)
  async import(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { field, maxBytes } = DUO_FILE;
    const values = unflatten({ ...form }, ['_csrf', field]);
    const { input, errors } = await validateAs(DuoImportInput, values);
    const { file, problem } = uploadOf(req);
    let status = 422;
    let problems: FieldError[] = errors;
    if (problem === 'TOO_LARGE') {
      status = 413;
      problems = [{ field, code: FieldCode.TOO_LARGE, message: `${field}: is groter dan ${megabytes(maxBytes)}. Kies het bestand van één sector, zoals DUO het publiceert.` }];
    } else if (problem) {
      status = 400;
      problems = [{ field, code: FieldCode.NOT_ALLOWED_VALUE, message: `${field}: het bestand kwam niet goed aan. Kies het opnieuw en verstuur het nog eens.` }];
    } else if (!file || file.size === 0) {
      problems = [{ field, code: FieldCode.REQUIRED, message: `${field}: kies het bestand van DUO (CSV of TXT)` }, ...errors];
    } else if (input) {
      try {
        const result = await this.duo.import(file.buffer, input.sector, { field, by: actor });
        res.status(200).type('html').send(this.pages.render('organisations/operator-import-result', this.resultContext(actor, file.originalname, result)));
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(status).type('html').send(this.pages.render('organisations/operator-import', this.importContext(actor, values, pageErrors(problems, LABELS.import))));
  }

  @Get(':code')
  @Allow(Permission.ORGANISATION_MANAGE)
  async show(@CurrentActor() actor: Actor, @Param('code') code: string, @Query('gedaan') done: string | undefined, @Res() res: Response): Promise<void> {
    const org = await this.require(code);
    res.type('html').send(await this.page.render(actor, org, { notice: DONE[done ?? ''] }));
  }

  @Post(':code/delegatie')
  @Allow(Permission.ORGANISATION_MANAGE)
  async delegate(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const org = await this.require(code);
    const values = unflatten(form);
    const { input, errors } = await validateAs(DelegationInput, values);
    let problems = errors;
    if (input) {
      try {
        await this.organisations.setDelegation(org.code, input.office ?? null, actor);
        res.redirect(303, `/organisaties/${encodeURIComponent(org.code)}?gedaan=${input.office ? 'delegatie' : 'delegatie-opgeheven'}`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(await this.page.render(actor, org, { values, errors: pageErrors(problems, LABELS.delegation) }));
  }

  private async require(code: string): Promise<Organisation> {
    const org = /^[A-Za-z0-9-]{1,20}$/.test(code) ? await this.organisations.findByCode(code) : null;
    if (!org) throw notFound('Deze organisatie bestaat niet.');
    return org;
  }

  private newSchoolContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[]): PageContext {
    return { title: 'Nieuwe school', nav: nav(actor, 'operator'), values, errors, sectors: options(SECTOR_LABELS) };
  }

  private importContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[]): PageContext {
    const { field, maxBytes } = DUO_FILE;
    return { title: 'DUO-bestand importeren', nav: nav(actor, 'operator'), values, errors, sectors: options(SECTOR_LABELS), field, maxSize: megabytes(maxBytes) };
  }

  private resultContext(actor: Actor, fileName: string, r: DuoImportResult): PageContext {
    const changed = r.schoolsCreated + r.schoolsUpdated + r.locationsCreated + r.locationsUpdated;
    return {
      title: 'Resultaat van de import', nav: nav(actor, 'operator'), fileName, changed,
      rows: [
        { label: 'Scholen toegevoegd', count: r.schoolsCreated }, { label: 'Scholen gewijzigd (naam)', count: r.schoolsUpdated },
        { label: 'Locaties toegevoegd', count: r.locationsCreated }, { label: 'Locaties gewijzigd', count: r.locationsUpdated },
        { label: 'Locaties ongewijzigd', count: r.unchanged }, { label: 'Regels overgeslagen', count: r.skipped.length },
      ],
      skipped: r.skipped.slice(0, 200).map((s) => ({ line: s.line || null, reason: s.reason })),
      moreSkipped: Math.max(0, r.skipped.length - 200),
    };
  }

  private async routingContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const [rules, ...lists] = await Promise.all([
      this.organisations.routingRules(),
      ...[OrganisationType.GEMEENTE, OrganisationType.REGIONAAL_BUREAU, OrganisationType.RMC_REGIO].map((type) => this.organisations.list(type)),
    ]);
    // By name, as people look them up; the code after it for those who know it.
    const byName = (list: { code: string; name: string; active: boolean }[]) => list
      .filter((o) => o.active).map((o) => ({ value: o.code, label: `${o.name} (${o.code})` })).sort((a, b) => a.label.localeCompare(b.label, 'nl'));
    const [municipalities, offices, regions] = lists.map((l) => byName(l.organisations));
    return {
      title: 'Alternatieve routering', nav: nav(actor, 'operator'), values: flatten(values), errors, notice,
      rules: rules.map((r) => ({ ...r, kindLabel: KIND_LABELS[r.kind as ReportKind] ?? r.kind })),
      municipalities,
      receivers: [
        { label: 'Gemeenten', options: municipalities }, { label: 'Regionale bureaus leerplicht', options: offices }, { label: "RMC-regio's", options: regions },
      ].filter((g) => g.options.length > 0),
      kinds: options(KIND_LABELS),
    };
  }
}
