import { Body, Controller, Get, Header, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService, AuditSubjectType, byActor } from '../audit/audit.service';
import { ErrorCode, FieldCode, FieldError, notFound, ProblemError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { AccountsService } from '../identity/accounts.service';
import { Actor } from '../identity/actor';
import { Allow, CurrentActor } from '../identity/allow.decorator';
import { AppointInput } from '../identity/identity.dto';
import { Permission, Role } from '../identity/permissions';
import { Upload, uploadOf } from '../identity/upload';
import { UserStatus } from '../identity/user.entity';
import { DuoImportResult, DuoImportService } from '../organisations/duo-import.service';
import {
  DelegationInput, DuoImportInput, NewOfficeInput, NewSchoolInput, OrganisationSearch, RoutingRuleInput, SCHOOL_SECTORS,
} from '../organisations/organisation.dto';
import { Organisation, OrganisationType } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { SchoolDataService } from '../organisations/school-data.service';
import { KIND_LABELS, ReportKind } from '../reports/report-codes';
import { fieldErrorsOf, flatten, options, pageErrors, unflatten, validateAs } from './forms';
import { nav } from './nav';
import { PageContext, PageRenderer } from './page-renderer';
import { sendActivationLetter } from './activation-letter';
import { PortalFilter } from './portal.filter';

const TYPE_LABELS: Record<OrganisationType, string> = {
  [OrganisationType.SCHOOL]: 'School',
  [OrganisationType.GEMEENTE]: 'Gemeente',
  [OrganisationType.REGIONAAL_BUREAU]: 'Regionaal bureau leerplicht',
  [OrganisationType.RMC_REGIO]: 'RMC-regio',
  [OrganisationType.OPERATOR]: 'Functioneel beheer',
};
const SECTOR_LABELS: Record<(typeof SCHOOL_SECTORS)[number], string> = {
  PO: 'Primair onderwijs (PO)', VO: 'Voortgezet onderwijs (VO)', MBO: 'Middelbaar beroepsonderwijs (MBO)', SO: 'Speciaal onderwijs ((V)SO)',
};
const STATUS_LABELS: Record<UserStatus, string> = {
  [UserStatus.PENDING]: 'Wacht op activering', [UserStatus.ACTIVE]: 'Actief', [UserStatus.DISABLED]: 'Uitgeschakeld',
};
const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
/** DUO's file of one sector's school locations, as the upload form takes it. */
const DUO_FILE = { field: 'bestand', maxBytes: 20 * 1024 * 1024 };

const LABELS = {
  school: { brin: 'BRIN-code', name: 'Naam van de school', sector: 'Sector' },
  office: { code: 'Code van het bureau', name: 'Naam van het bureau' },
  delegation: { office: 'Regionaal bureau', municipality: 'Gemeente' },
  routing: { municipality: 'Gemeente', kind: 'Soort melding', target: 'Ontvanger' },
  appoint: { username: 'Gebruikersnaam', name: 'Naam', email: 'E-mailadres', activation: 'Activering' },
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
export class OperatorPageController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly organisations: OrganisationsService,
    private readonly duo: DuoImportService,
    private readonly accounts: AccountsService,
    private readonly schoolData: SchoolDataService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
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
    res.status(errors.length ? 422 : 200).type('html').send(this.pages.render('operator-organisations', {
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
    return this.pages.render('operator-new-school', this.newSchoolContext(actor, { sector: 'PO' }, []));
  }

  @Post('nieuwe-school')
  @Allow(Permission.ORGANISATION_MANAGE)
  async createSchool(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(form);
    const { input, errors } = await validateAs(NewSchoolInput, values);
    let problems = errors;
    if (input) {
      try {
        const school = await this.db.transaction(async (m) => {
          const created = await this.organisations.createSchool(input.brin, input.name, input.sector, m);
          await this.audit.record(organisationCreated(actor, created), m);
          return created;
        });
        res.redirect(303, `/organisaties/${encodeURIComponent(school.code)}?gedaan=school`);
        return;
      } catch (error) {
        // The service names the code "code"; on this form it is the BRIN.
        problems = fieldErrorsOf(error).map((e) => (e.field === 'code' ? { ...e, field: 'brin' } : e));
      }
    }
    res.status(422).type('html').send(this.pages.render('operator-new-school', this.newSchoolContext(actor, values, pageErrors(problems, LABELS.school))));
  }

  @Get('nieuw-bureau')
  @Allow(Permission.ORGANISATION_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  newOffice(@CurrentActor() actor: Actor): string {
    return this.pages.render('operator-new-office', { title: 'Nieuw regionaal bureau', nav: nav(actor, 'operator'), values: {}, errors: [] });
  }

  @Post('nieuw-bureau')
  @Allow(Permission.ORGANISATION_MANAGE)
  async createOffice(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(form);
    const { input, errors } = await validateAs(NewOfficeInput, values);
    let problems = errors;
    if (input) {
      try {
        const office = await this.db.transaction(async (m) => {
          const created = await this.organisations.createOffice(input.code, input.name, m);
          await this.audit.record(organisationCreated(actor, created), m);
          return created;
        });
        res.redirect(303, `/organisaties/${encodeURIComponent(office.code)}?gedaan=bureau`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('operator-new-office', {
      title: 'Nieuw regionaal bureau', nav: nav(actor, 'operator'), values, errors: pageErrors(problems, LABELS.office),
    }));
  }

  @Get('routering')
  @Allow(Permission.ORGANISATION_MANAGE)
  async routing(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined, @Res() res: Response): Promise<void> {
    res.type('html').send(this.pages.render('operator-routing', await this.routingContext(actor, {}, [], DONE[done ?? ''])));
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
        await this.db.transaction(async (m) => {
          await this.organisations.setRoutingRule(input.municipality, input.kind, input.target ?? null, m);
          await this.audit.record(byActor(actor, AuditAction.ROUTING_CHANGED, {
            subjectType: AuditSubjectType.ORGANISATION, subjectId: input.municipality, details: { kind: input.kind, target: input.target ?? null },
          }), m);
        });
        res.redirect(303, `/organisaties/routering?gedaan=${input.target ? 'routering' : 'routering-opgeheven'}`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('operator-routing', await this.routingContext(actor, values, pageErrors(problems, LABELS.routing))));
  }

  @Get('duo-import')
  @Allow(Permission.ORGANISATION_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  importForm(@CurrentActor() actor: Actor): string {
    return this.pages.render('operator-import', this.importContext(actor, { sector: 'PO' }, []));
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
        const result = await this.duo.importFile(file.buffer, input.sector, field, (r, m) =>
          this.audit.record(byActor(actor, AuditAction.DUO_IMPORTED, { details: { sector: input.sector, bytes: file.size, ...counts(r) } }), m));
        res.status(200).type('html').send(this.pages.render('operator-import-result', this.resultContext(actor, file.originalname, result)));
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(status).type('html').send(this.pages.render('operator-import', this.importContext(actor, values, pageErrors(problems, LABELS.import))));
  }

  @Get(':code')
  @Allow(Permission.ORGANISATION_MANAGE)
  async show(@CurrentActor() actor: Actor, @Param('code') code: string, @Query('gedaan') done: string | undefined, @Res() res: Response): Promise<void> {
    const org = await this.require(code);
    res.type('html').send(this.pages.render('operator-organisation', await this.organisationContext(actor, org, {}, [], DONE[done ?? ''])));
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
        await this.db.transaction(async (m) => {
          const previous = org.delegateId ? (await m.getRepository(Organisation).findOneBy({ id: org.delegateId }))?.code ?? null : null;
          await this.organisations.setDelegation(org.code, input.office ?? null, m);
          await this.audit.record(byActor(actor, AuditAction.DELEGATION_CHANGED, {
            subjectType: AuditSubjectType.ORGANISATION, subjectId: org.code, details: { from: previous, to: input.office ?? null },
          }), m);
        });
        res.redirect(303, `/organisaties/${encodeURIComponent(org.code)}?gedaan=${input.office ? 'delegatie' : 'delegatie-opgeheven'}`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('operator-organisation', await this.organisationContext(actor, org, values, pageErrors(problems, LABELS.delegation))));
  }

  /**
   * The (first) beheerder of an organisation, as the API's POST /api/v1/organisations/:code/beheerders: activation by
   * an e-mailed link, or by a letter whose code is shown on the next page this once.
   */
  @Post(':code/beheerder')
  @Allow(Permission.BEHEERDER_APPOINT)
  async appoint(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const org = await this.require(code);
    if (org.type === OrganisationType.OPERATOR) throw new ProblemError(ErrorCode.FORBIDDEN, 'Accounts voor functioneel beheer maakt u met de opdrachtregel.');
    const values = unflatten(form);
    const { input, errors } = await validateAs(AppointInput, values);
    let problems = errors;
    if (input) {
      try {
        const { user, activation } = await this.accounts.appoint(org.code, input, input.activation ?? 'LINK', 'MAIL', actor);
        if (activation.kind === 'LETTER') {
          sendActivationLetter(res, this.pages, {
            nav: nav(actor, 'operator'), back: { href: `/organisaties/${encodeURIComponent(org.code)}`, label: `Terug naar ${org.name}` },
            user, organisation: org.name, appointed: true, activation, publicUrl: this.config.PUBLIC_URL,
          });
          return;
        }
        res.redirect(303, `/organisaties/${encodeURIComponent(org.code)}?gedaan=beheerder`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('operator-organisation', await this.organisationContext(actor, org, values, pageErrors(problems, LABELS.appoint))));
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
    const [rules, { organisations: municipalities }] = await Promise.all([this.organisations.routingRules(), this.organisations.list(OrganisationType.GEMEENTE)]);
    return {
      title: 'Alternatieve routering', nav: nav(actor, 'operator'), values: flatten(values), errors, notice,
      rules: rules.map((r) => ({ ...r, kindLabel: KIND_LABELS[r.kind as ReportKind] ?? r.kind })),
      municipalities: municipalities.map((m) => ({ value: m.code, label: `${m.name} (${m.code})` })),
      kinds: options(KIND_LABELS),
    };
  }

  private async organisationContext(actor: Actor, org: Organisation, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const gemeente = org.type === OrganisationType.GEMEENTE;
    const [codes, users, locations, delegators, offices, rules] = await Promise.all([
      this.organisations.codesOf([org]),
      this.accounts.list(org.id),
      org.type === OrganisationType.SCHOOL ? this.schoolData.listLocations(org.id) : Promise.resolve([]),
      org.type === OrganisationType.REGIONAAL_BUREAU ? this.organisations.delegatingTo(org.id) : Promise.resolve([]),
      gemeente ? this.organisations.list(OrganisationType.REGIONAAL_BUREAU).then((l) => l.organisations) : Promise.resolve([]),
      gemeente ? this.organisations.routingRules() : Promise.resolve([]),
    ]);
    const delegate = org.delegateId ? offices.find((o) => o.id === org.delegateId) : undefined;
    return {
      title: `${org.name} (${org.code})`, nav: nav(actor, 'operator'), errors, notice,
      values: { office: delegate?.code ?? '', activation: 'LINK', ...flatten(values) },
      org: {
        code: org.code, name: org.name, type: TYPE_LABELS[org.type], sector: org.sector, province: org.province,
        rmcRegion: org.rmcRegionId ? codes.get(org.rmcRegionId) : null, delegate: delegate ? `${delegate.name} (${delegate.code})` : null,
        active: org.active,
      },
      gemeente, school: org.type === OrganisationType.SCHOOL, office: org.type === OrganisationType.REGIONAAL_BUREAU,
      offices: offices.map((o) => ({ value: o.code, label: `${o.name} (${o.code})` })),
      rules: rules.filter((r) => r.municipality === org.code).map((r) => ({ ...r, kindLabel: KIND_LABELS[r.kind as ReportKind] ?? r.kind })),
      delegators: delegators.map((d) => ({ code: d.code, name: d.name })),
      locations: locations.map((l) => ({ code: org.code + l.code, name: l.name, place: l.place, active: l.active })),
      beheerders: users.filter((u) => u.roles.includes(Role.BEHEERDER)).map((u) => ({ name: u.name, username: u.username, status: STATUS_LABELS[u.status] })),
      canAppoint: actor.permissions.has(Permission.BEHEERDER_APPOINT) && org.type !== OrganisationType.OPERATOR,
      activations: [
        { value: 'LINK', label: 'Activeringslink per e-mail' },
        { value: 'LETTER', label: 'Brief met een activeringscode, om af te drukken en te overhandigen' },
      ],
    };
  }
}

function organisationCreated(actor: Actor, org: Organisation) {
  return byActor(actor, AuditAction.ORGANISATION_CREATED, {
    subjectType: AuditSubjectType.ORGANISATION, subjectId: org.code, details: { type: org.type, name: org.name, ...(org.sector ? { sector: org.sector } : {}) },
  });
}

function counts(r: DuoImportResult) {
  return {
    schoolsCreated: r.schoolsCreated, schoolsUpdated: r.schoolsUpdated, locationsCreated: r.locationsCreated,
    locationsUpdated: r.locationsUpdated, unchanged: r.unchanged, skipped: r.skipped.length,
  };
}
