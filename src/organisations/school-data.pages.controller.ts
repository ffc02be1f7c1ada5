import { isUUID } from 'class-validator';
import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { FieldError, notFound } from '../common/problem';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Location } from './location.entity';
import { LocationChange, LocationInput, ReporterChange, ReporterInput } from './organisation.dto';
import { OrganisationsService } from './organisations.service';
import { Reporter } from './reporter.entity';
import { SchoolDataService } from './school-data.service';
import { confirmPage } from '../web/confirm';
import { fieldErrorsOf, flatten, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext, PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { OrganisationType } from '../kernel/organisation-type';

/** The labels of the forms' fields: in the error summary, each message begins with the field's label. */
const LOCATION_LABELS: Record<string, string> = {
  code: 'Vestigingsnummer', name: 'Naam', street: 'Straat', houseNumber: 'Huisnummer', postcode: 'Postcode', place: 'Plaats',
  municipalityCode: 'Gemeente',
};
const REPORTER_LABELS: Record<string, string> = { name: 'Naam', function: 'Functie', phone: 'Telefoonnummer', email: 'E-mailadres' };
/** The optional fields of a location: emptied on the form, they are cleared (null), not left as they were. */
const LOCATION_OPTIONAL = ['street', 'houseNumber', 'postcode', 'place', 'municipalityCode'];

/**
 * Beheer locaties and Beheer melders, for a school's beheerder: the lists, a form to add, and per location or reporter
 * a page to change, deactivate, reactivate or remove it. The same service and DTOs as the API
 * (school-data.api.controller.ts); each change is in the school's audit log.
 */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('beheer')
export class SchoolDataPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly schoolData: SchoolDataService,
    private readonly organisations: OrganisationsService,
  ) {}

  // Locaties

  @Get('locaties')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async locations(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined, @Query('id') id: string | undefined, @Res() res: Response): Promise<void> {
    const school = schoolOf(actor);
    let notice: string | undefined;
    if (done === 'verwijderd') notice = 'De locatie is verwijderd.';
    else if (done === 'toegevoegd' && id && isUUID(id)) {
      const added = (await this.schoolData.listLocations(school)).find((l) => l.id === id);
      if (added) notice = `Locatie ${actor.organisationCode}${added.code} (${added.name}) is toegevoegd.`;
    }
    res.type('html').send(this.pages.render('organisations/locations', await this.locationsContext(actor, {}, [], notice)));
  }

  @Post('locaties')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async addLocation(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const school = schoolOf(actor);
    const values = unflatten(form);
    const { input, errors } = await validateAs(LocationInput, values);
    let problems = errors;
    if (input) {
      try {
        const added = await this.schoolData.addLocation(school, input, actor);
        res.redirect(303, `/beheer/locaties?gedaan=toegevoegd&id=${added.id}`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('organisations/locations', await this.locationsContext(actor, flatten(values), pageErrors(problems, LOCATION_LABELS))));
  }

  @Get('locaties/:id')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async location(@CurrentActor() actor: Actor, @Param('id') id: string, @Query('gedaan') done: string | undefined, @Res() res: Response): Promise<void> {
    const location = await this.schoolData.getLocation(schoolOf(actor), idOf(id));
    const notice = doneNotice(done, `Locatie ${actor.organisationCode}${location.code}`);
    res.type('html').send(this.pages.render('organisations/location', await this.locationContext(actor, location, locationValues(location), [], notice)));
  }

  @Post('locaties/:id')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async changeLocation(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const school = schoolOf(actor);
    const location = await this.schoolData.getLocation(school, idOf(id));
    const values = unflatten(form);
    // An emptied optional field clears it; an emptied name is refused (the API's "mag niet leeg zijn").
    const change: Record<string, unknown> = { ...values };
    for (const name of ['name', ...LOCATION_OPTIONAL]) change[name] ??= null;
    const { input, errors } = await validateAs(LocationChange, change);
    let problems = errors;
    if (input) {
      try {
        await this.schoolData.changeLocation(school, location.id, input, actor);
        res.redirect(303, `/beheer/locaties/${location.id}?gedaan=gewijzigd`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(
      this.pages.render('organisations/location', await this.locationContext(actor, location, flatten(values), pageErrors(problems, LOCATION_LABELS))),
    );
  }

  @Post('locaties/:id/deactiveren')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async deactivateLocation(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const changed = await this.schoolData.changeLocation(schoolOf(actor), idOf(id), { active: false }, actor);
    res.redirect(303, `/beheer/locaties/${changed.id}?gedaan=gedeactiveerd`);
  }

  @Post('locaties/:id/activeren')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async reactivateLocation(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const changed = await this.schoolData.changeLocation(schoolOf(actor), idOf(id), { active: true }, actor);
    res.redirect(303, `/beheer/locaties/${changed.id}?gedaan=geactiveerd`);
  }

  @Get('locaties/:id/verwijderen')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async confirmRemoveLocation(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const location = await this.schoolData.getLocation(schoolOf(actor), idOf(id));
    const name = `${location.name} (${actor.organisationCode}${location.code})`;
    res.type('html').send(this.pages.render('confirm', confirmPage(nav(actor, 'beheer'), {
      title: `Locatie ${name} verwijderen?`,
      consequences: [
        `De locatie ${name} verdwijnt uit de lijst: wie verzuim meldt, kan haar niet meer kiezen.`,
        'Staat de locatie al op een melding, dan wordt ze niet verwijderd maar gedeactiveerd: de melding blijft haar noemen.',
        'De wijziging komt in het logboek.',
      ],
      action: `/beheer/locaties/${location.id}/verwijderen`, button: 'Ja, locatie verwijderen', back: `/beheer/locaties/${location.id}`,
    })));
  }

  @Post('locaties/:id/verwijderen')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async removeLocation(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const kept = await this.schoolData.removeLocation(schoolOf(actor), idOf(id), actor);
    res.redirect(303, kept ? `/beheer/locaties/${kept.id}?gedaan=behouden` : '/beheer/locaties?gedaan=verwijderd');
  }

  // Melders

  @Get('melders')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async reporters(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined, @Query('id') id: string | undefined, @Res() res: Response): Promise<void> {
    const school = schoolOf(actor);
    let notice: string | undefined;
    if (done === 'verwijderd') notice = 'De melder is verwijderd.';
    else if (done === 'toegevoegd' && id && isUUID(id)) {
      const added = (await this.schoolData.listReporters(school)).find((r) => r.id === id);
      if (added) notice = `Melder ${added.name} is toegevoegd.`;
    }
    res.type('html').send(this.pages.render('organisations/reporters', await this.reportersContext(actor, {}, [], notice)));
  }

  @Post('melders')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async addReporter(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const school = schoolOf(actor);
    const values = unflatten(form);
    const { input, errors } = await validateAs(ReporterInput, values);
    let problems = errors;
    if (input) {
      try {
        const added = await this.schoolData.addReporter(school, input, actor);
        res.redirect(303, `/beheer/melders?gedaan=toegevoegd&id=${added.id}`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('organisations/reporters', await this.reportersContext(actor, flatten(values), pageErrors(problems, REPORTER_LABELS))));
  }

  @Get('melders/:id')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async reporter(@CurrentActor() actor: Actor, @Param('id') id: string, @Query('gedaan') done: string | undefined, @Res() res: Response): Promise<void> {
    const reporter = await this.schoolData.getReporter(schoolOf(actor), idOf(id));
    const notice = doneNotice(done, `Melder ${reporter.name}`);
    res.type('html').send(this.pages.render('organisations/reporter', this.reporterContext(actor, reporter, reporterValues(reporter), [], notice)));
  }

  @Post('melders/:id')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async changeReporter(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const school = schoolOf(actor);
    const reporter = await this.schoolData.getReporter(school, idOf(id));
    const values = unflatten(form);
    // Every field of a reporter is required: an emptied one is refused (the API's "mag niet leeg zijn").
    const change: Record<string, unknown> = { ...values };
    for (const name of Object.keys(REPORTER_LABELS)) change[name] ??= null;
    const { input, errors } = await validateAs(ReporterChange, change);
    let problems = errors;
    if (input) {
      try {
        await this.schoolData.changeReporter(school, reporter.id, input, actor);
        res.redirect(303, `/beheer/melders/${reporter.id}?gedaan=gewijzigd`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('organisations/reporter', this.reporterContext(actor, reporter, flatten(values), pageErrors(problems, REPORTER_LABELS))));
  }

  @Post('melders/:id/deactiveren')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async deactivateReporter(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const changed = await this.schoolData.changeReporter(schoolOf(actor), idOf(id), { active: false }, actor);
    res.redirect(303, `/beheer/melders/${changed.id}?gedaan=gedeactiveerd`);
  }

  @Post('melders/:id/activeren')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async reactivateReporter(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const changed = await this.schoolData.changeReporter(schoolOf(actor), idOf(id), { active: true }, actor);
    res.redirect(303, `/beheer/melders/${changed.id}?gedaan=geactiveerd`);
  }

  @Get('melders/:id/verwijderen')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async confirmRemoveReporter(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const reporter = await this.schoolData.getReporter(schoolOf(actor), idOf(id));
    res.type('html').send(this.pages.render('confirm', confirmPage(nav(actor, 'beheer'), {
      title: `Melder ${reporter.name} verwijderen?`,
      consequences: [
        `${reporter.name} verdwijnt uit de lijst van melders: wie verzuim meldt, kan hem of haar niet meer kiezen.`,
        'Staat de melder al op een melding, dan wordt hij niet verwijderd maar gedeactiveerd: de melding blijft hem noemen.',
        'De wijziging komt in het logboek.',
      ],
      action: `/beheer/melders/${reporter.id}/verwijderen`, button: 'Ja, melder verwijderen', back: `/beheer/melders/${reporter.id}`,
    })));
  }

  @Post('melders/:id/verwijderen')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  async removeReporter(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const kept = await this.schoolData.removeReporter(schoolOf(actor), idOf(id), actor);
    res.redirect(303, kept ? `/beheer/melders/${kept.id}?gedaan=behouden` : '/beheer/melders?gedaan=verwijderd');
  }

  private async locationsContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const locations = await this.schoolData.listLocations(actor.organisationId);
    return {
      title: 'Locaties', nav: nav(actor, 'beheer'), values, errors, notice, brin: actor.organisationCode,
      codeHint: `De twee cijfers na de BRIN-code, bijvoorbeeld 02 voor ${actor.organisationCode}02`,
      municipalities: await this.municipalities(),
      locations: locations.map((l) => ({
        id: l.id, code: actor.organisationCode + l.code, name: l.name, address: address(l), municipality: l.municipality?.name, active: l.active,
      })),
    };
  }

  private async locationContext(actor: Actor, l: Location, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const code = actor.organisationCode + l.code;
    return {
      title: `Locatie ${code}`, nav: nav(actor, 'beheer'), values, errors, notice, municipalities: await this.municipalities(),
      location: { id: l.id, code, name: l.name, active: l.active },
    };
  }

  private async reportersContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const reporters = await this.schoolData.listReporters(actor.organisationId);
    return {
      title: 'Melders', nav: nav(actor, 'beheer'), values, errors, notice,
      reporters: reporters.map((r) => ({ id: r.id, name: r.name, function: r.function, phone: r.phone, email: r.email, active: r.active })),
    };
  }

  private reporterContext(actor: Actor, r: Reporter, values: Record<string, unknown>, errors: FieldError[], notice?: string): PageContext {
    return { title: `Melder ${r.name}`, nav: nav(actor, 'beheer'), values, errors, notice, reporter: { id: r.id, name: r.name, active: r.active } };
  }

  /** The choice of a location's municipality, in Dutch alphabetical order. */
  private async municipalities(): Promise<{ value: string; label: string }[]> {
    const { organisations } = await this.organisations.list(OrganisationType.GEMEENTE);
    return organisations.map((o) => ({ value: o.code, label: o.name })).sort((a, b) => a.label.localeCompare(b.label, 'nl'));
  }
}

/** The school whose lists these are. A municipality's beheerder has the permission but no locations: not found. */
function schoolOf(actor: Actor): string {
  if (actor.organisationType !== OrganisationType.SCHOOL) throw notFound('Alleen een school heeft locaties en melders.');
  return actor.organisationId;
}

/** A location's or reporter's id from the address; anything else is a page that does not exist (not a database error). */
function idOf(value: string): string {
  if (!isUUID(value)) throw notFound();
  return value.toLowerCase();
}

function address(l: Location): string {
  const street = [l.street, l.houseNumber].filter(Boolean).join(' ');
  const place = [l.postcode, l.place].filter(Boolean).join(' ');
  return [street, place].filter(Boolean).join(', ');
}

function locationValues(l: Location): Record<string, unknown> {
  return { name: l.name, street: l.street, houseNumber: l.houseNumber, postcode: l.postcode, place: l.place, municipalityCode: l.municipality?.code };
}

function reporterValues(r: Reporter): Record<string, unknown> {
  return { name: r.name, function: r.function, phone: r.phone, email: r.email };
}

/** What the beheerder just did to a location or reporter (`what`: "Locatie 00ZV01", "Melder J. de Vries"). */
function doneNotice(done: string | undefined, what: string): string | undefined {
  switch (done) {
    case 'gewijzigd': return 'De wijzigingen zijn opgeslagen.';
    case 'gedeactiveerd': return `${what} is gedeactiveerd en niet meer te kiezen op een nieuwe melding.`;
    case 'geactiveerd': return `${what} is weer actief en weer te kiezen op een nieuwe melding.`;
    case 'behouden':
      return `${what} staat op een of meer meldingen en is daarom gedeactiveerd in plaats van verwijderd: niet meer te kiezen op een nieuwe melding, wel te zien op de bestaande.`;
    default: return undefined;
  }
}
