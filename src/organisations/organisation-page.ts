import { Injectable } from '@nestjs/common';
import { FieldError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { KIND_LABELS, ReportKind } from '../kernel/report-codes';
import { flatten } from '../web/forms';
import { nav } from '../web/nav';
import { PageRenderer } from '../web/page-renderer';
import { Organisation } from './organisation.entity';
import { OrganisationsService } from './organisations.service';
import { SchoolDataService } from './school-data.service';

export const TYPE_LABELS: Record<OrganisationType, string> = {
  [OrganisationType.SCHOOL]: 'School',
  [OrganisationType.GEMEENTE]: 'Gemeente',
  [OrganisationType.REGIONAAL_BUREAU]: 'Regionaal bureau leerplicht',
  [OrganisationType.RMC_REGIO]: 'RMC-regio',
  [OrganisationType.OPERATOR]: 'Functioneel beheer',
};

/**
 * A part of the operator's page of one organisation that another capability shows (identity: its beheerders and
 * the form to appoint one). The page is this capability's; the part's data and its form are the other's, which
 * registers it here (OrganisationPage.add), so that organisations needs nothing of it.
 */
export interface OrganisationSection {
  /** The partial that shows it: templates/pages/<capability>/partials/<name>.hbs as '<capability>/<name>'. */
  partial: string;
  context(actor: Actor, org: Organisation): Promise<Record<string, unknown>>;
}

/** What the page shows after a form of it (or of a section) was sent: the values typed, the refusals, a notice. */
export interface PageState {
  values?: Record<string, unknown>;
  errors?: FieldError[];
  notice?: string;
}

/** The operator's page of one organisation: its data, delegation and routing, locations, and the sections of others. */
@Injectable()
export class OrganisationPage {
  private readonly sections: OrganisationSection[] = [];

  constructor(
    private readonly pages: PageRenderer,
    private readonly organisations: OrganisationsService,
    private readonly schoolData: SchoolDataService,
  ) {}

  add(section: OrganisationSection): void {
    this.sections.push(section);
  }

  async render(actor: Actor, org: Organisation, state: PageState = {}): Promise<string> {
    const gemeente = org.type === OrganisationType.GEMEENTE;
    const [codes, locations, delegators, offices, rules, sections] = await Promise.all([
      this.organisations.codesOf([org]),
      org.type === OrganisationType.SCHOOL ? this.schoolData.listLocations(org.id) : Promise.resolve([]),
      org.type === OrganisationType.REGIONAAL_BUREAU ? this.organisations.delegatingTo(org.id) : Promise.resolve([]),
      gemeente ? this.organisations.list(OrganisationType.REGIONAAL_BUREAU).then((l) => l.organisations) : Promise.resolve([]),
      gemeente ? this.organisations.routingRules() : Promise.resolve([]),
      Promise.all(this.sections.map(async (s) => ({ partial: s.partial, ...(await s.context(actor, org)) }))),
    ]);
    const delegate = org.delegateId ? offices.find((o) => o.id === org.delegateId) : undefined;
    return this.pages.render('organisations/operator-organisation', {
      title: `${org.name} (${org.code})`, nav: nav(actor, 'operator'), errors: state.errors ?? [], notice: state.notice,
      values: { office: delegate?.code ?? '', activation: 'LINK', ...flatten(state.values ?? {}) },
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
      sections,
    });
  }
}
