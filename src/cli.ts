import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { ProblemError } from './common/problem';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { DatabaseConnection } from './database/database.module';
import { DatabaseInUseError } from './database/embedded-database';
import { runMigrations } from './database/migrator';
import { AccountsService } from './identity/accounts.service';
import { ApiKeysService } from './identity/api-keys.service';
import { DuoImportService } from './organisations/duo-import.service';
import { OrganisationsService } from './organisations/organisations.service';
import { ReportKind } from './kernel/report-codes';
import { OrganisationType } from './kernel/organisation-type';

/** The operator's command line: `npm run cli -- <command>`. */
async function withApp<T>(work: (app: INestApplicationContext, config: AppConfig) => Promise<T>): Promise<T> {
  // A command does its one piece of work and ends: the service's mail and webhook workers are not started here
  // (they would poll a database the command is closing, and print its errors on the way out).
  const config = loadConfig({ ...process.env, MAIL_WORKER: 'false', WEBHOOK_WORKER: 'false' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    return await work(app, config);
  } finally {
    // The pool first, then the embedded database (once: app.close's shutdown hooks find it closed).
    await app.get(DatabaseConnection).close(app.get<DataSource>(getDataSourceToken()));
    await app.close();
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const program = new Command('verzuimloket')
  .description('Beheer van Verzuimloket door de functioneel beheerder. Gebruikt DATABASE_URL, of de ingebouwde database in DATA_DIR (stop dan eerst de service).')
  .showHelpAfterError();

program
  .command('migrate')
  .description('Voert openstaande databasemigraties uit (ook bij elke start, tenzij MIGRATIONS_RUN=false)')
  .action(() =>
    withApp(async (app) => {
      const n = await runMigrations(app.get<DataSource>(getDataSourceToken()), !app.get(DatabaseConnection).embedded);
      out(n === 0 ? 'Geen openstaande migraties.' : `${n} migratie(s) uitgevoerd.`);
    }),
  );

program
  .command('import-duo')
  .argument('<bestand>', "DUO-bestand met schoolvestigingen (';'-gescheiden, UTF-8 of Windows-1252)")
  .option('--sector <sector>', 'sector van nieuwe scholen: PO, VO, MBO of SO', 'PO')
  .description('Importeert scholen en locaties; opnieuw importeren verandert niets')
  .action((file: string, opts: { sector: string }) =>
    withApp(async (app) => {
      const r = await app.get(DuoImportService).import(readFileSync(file), opts.sector.toUpperCase(), { field: 'bestand' });
      out(`Scholen: ${r.schoolsCreated} nieuw, ${r.schoolsUpdated} gewijzigd`);
      out(`Locaties: ${r.locationsCreated} nieuw, ${r.locationsUpdated} gewijzigd, ${r.unchanged} ongewijzigd`);
      for (const s of r.skipped.slice(0, 20)) out(`Overgeslagen, regel ${s.line}: ${s.reason}`);
      if (r.skipped.length > 20) out(`... en nog ${r.skipped.length - 20} overgeslagen regels`);
    }),
  );

program
  .command('create-school')
  .requiredOption('--brin <brin>', 'BRIN-code, bijv. 00ZV')
  .requiredOption('--name <naam>', 'naam van de school')
  .addOption(new Option('--sector <sector>', 'sector').choices(['PO', 'VO', 'MBO', 'SO']).default('VO'))
  .description('Maakt een school aan')
  .action((o: { brin: string; name: string; sector: string }) =>
    withApp(async (app) => {
      const school = await app.get(OrganisationsService).createSchool(o.brin, o.name, o.sector);
      out(`School ${school.code} (${school.name}) aangemaakt.`);
    }),
  );

program
  .command('create-office')
  .requiredOption('--code <code>', 'eigen code, bijv. RBL-HNZ')
  .requiredOption('--name <naam>', 'naam, bijv. Regionaal Bureau Leerplicht Holland Noord')
  .description('Maakt een regionaal bureau leerplicht aan')
  .action((o: { code: string; name: string }) =>
    withApp(async (app) => {
      const office = await app.get(OrganisationsService).createOffice(o.code, o.name);
      out(`Regionaal bureau ${office.code} (${office.name}) aangemaakt.`);
    }),
  );

program
  .command('delegate')
  .requiredOption('--municipality <code>', 'gemeentecode, bijv. GM0361')
  .option('--office <code>', 'regionaal bureau dat de meldingen ontvangt')
  .option('--none', 'de delegatie opheffen')
  .description('Laat de meldingen van een gemeente naar een regionaal bureau gaan (Leerplichtwet art. 21 lid 3)')
  .action((o: { municipality: string; office?: string; none?: boolean }) =>
    withApp(async (app) => {
      if (!o.office === !o.none) throw new Error('Geef --office <code> of --none.');
      await app.get(OrganisationsService).setDelegation(o.municipality, o.office ?? null);
      out(o.office ? `Meldingen voor ${o.municipality} gaan naar ${o.office.toUpperCase()}.` : `Delegatie van ${o.municipality} opgeheven.`);
    }),
  );

program
  .command('route')
  .requiredOption('--municipality <code>', 'gemeentecode')
  .addOption(new Option('--kind <soort>', 'soort melding').choices(Object.values(ReportKind)).makeOptionMandatory())
  .option('--to <code>', 'ontvangende organisatie')
  .option('--none', 'de alternatieve routering opheffen')
  .description('Alternatieve routering: meldingen van deze soort voor deze gemeente gaan naar een andere ontvanger')
  .action((o: { municipality: string; kind: ReportKind; to?: string; none?: boolean }) =>
    withApp(async (app) => {
      if (!o.to === !o.none) throw new Error('Geef --to <code> of --none.');
      await app.get(OrganisationsService).setRoutingRule(o.municipality, o.kind, o.to ?? null);
      out(o.to ? `${o.kind}-meldingen voor ${o.municipality} gaan naar ${o.to.toUpperCase()}.` : `Alternatieve routering opgeheven.`);
    }),
  );

program
  .command('create-operator')
  .requiredOption('--username <naam>', 'gebruikersnaam')
  .requiredOption('--name <naam>', 'volledige naam')
  .requiredOption('--email <adres>', 'e-mailadres')
  .option('--letter', 'een briefcode in plaats van een activeringslink')
  .description('Maakt een account voor functioneel beheer en toont de eenmalige activering (72 uur geldig)')
  .action((o: { username: string; name: string; email: string; letter?: boolean }) =>
    withApp(async (app) => {
      const { user, activation } = await app.get(AccountsService).appoint('OPERATOR', { username: o.username, name: o.name, email: o.email }, o.letter ? 'LETTER' : 'LINK', 'SHOW');
      out(`Account ${user.username} voor functioneel beheer aangemaakt.`);
      out(activation.url ? `Activeringslink (eenmalig, tot ${activation.expiresAt}): ${activation.url}` : `Briefcode (eenmalig, tot ${activation.expiresAt}): ${activation.code}`);
    }),
  );

program
  .command('list-organisations')
  .addOption(new Option('--type <type>', 'soort').choices(Object.values(OrganisationType)))
  .description('Toont organisaties met hun code')
  .action((o: { type?: OrganisationType }) =>
    withApp(async (app) => {
      const { organisations, codes } = await app.get(OrganisationsService).list(o.type);
      for (const org of organisations) {
        const extra = org.delegateId ? ` -> ${codes.get(org.delegateId)}` : '';
        out(`${org.code}\t${org.type}\t${org.name}${extra}`);
      }
    }),
  );

program
  .command('create-api-key')
  .requiredOption('--org <code>', 'organisatie: BRIN, gemeentecode, RMCnn of bureaucode')
  .requiredOption('--name <naam>', 'waarvoor de sleutel is, bijv. "Magister"')
  .requiredOption('--roles <rollen>', 'komma-gescheiden rollen, bijv. melder (school) of behandelaar (gemeente, bureau, RMC-regio)')
  .description('Maakt een API-sleutel; de sleutel wordt één keer getoond en alleen als hash bewaard')
  .action((o: { org: string; name: string; roles: string }) =>
    withApp(async (app) => {
      const org = await app.get(OrganisationsService).requireByCode(o.org, 'org');
      const { key, secret } = await app.get(ApiKeysService).create(org, o.name, o.roles.split(',').map((r) => r.trim()).filter(Boolean));
      out(`API-sleutel ${key.id} voor ${org.code} (${key.roles.join(', ')}):`);
      out(secret);
      out('Bewaar hem nu: hij wordt niet opnieuw getoond.');
    }),
  );

program
  .command('list-api-keys')
  .requiredOption('--org <code>', 'organisatie')
  .description('Toont de API-sleutels van een organisatie (zonder geheim)')
  .action((o: { org: string }) =>
    withApp(async (app) => {
      const org = await app.get(OrganisationsService).requireByCode(o.org, 'org');
      for (const k of await app.get(ApiKeysService).list(org.id)) {
        out(`${k.id}\t${k.prefix}…\t${k.name}\t${k.roles.join(',')}\t${k.revokedAt ? `ingetrokken ${k.revokedAt.toISOString()}` : 'actief'}`);
      }
    }),
  );

program
  .command('revoke-api-key')
  .requiredOption('--org <code>', 'organisatie')
  .requiredOption('--id <id>', 'id van de sleutel (zie list-api-keys)')
  .description('Trekt een API-sleutel in; hij werkt direct niet meer')
  .action((o: { org: string; id: string }) =>
    withApp(async (app) => {
      const org = await app.get(OrganisationsService).requireByCode(o.org, 'org');
      await app.get(ApiKeysService).revoke(org.id, o.id);
      out(`Sleutel ${o.id} ingetrokken.`);
    }),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ProblemError) {
    process.stderr.write(`${error.detail ?? error.message}\n`);
    for (const e of error.errors ?? []) process.stderr.write(`  ${e.message}\n`);
  } else if (error instanceof ConfigError || error instanceof DatabaseInUseError || error instanceof Error) {
    process.stderr.write(`${error.message}\n`);
  }
  process.exit(1);
});
