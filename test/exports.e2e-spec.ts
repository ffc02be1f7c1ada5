import { PassThrough } from 'node:stream';
import request from 'supertest';
import { ReportExportsService } from '../src/reports/export/report-exports.service';
import { Actor } from '../src/kernel/actor';
import { binary, pdfPages, readCsv, readXlsx } from './support/files';
import { activePerson, signIn } from './support/people';
import { bornAged, bsn, Caller, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';

const HEADER = [
  'Meldingsnummer', 'Status', 'Soort verzuim', 'BSN of onderwijsnummer', 'Leerling', 'Geboortedatum', 'School', 'Vestigingscode', 'Vestiging',
  'Ontvanger', 'Gemeld op', 'Eerste dag verzuim', 'Laatste dag verzuim', 'Dagen gemist', 'Lesuren gemist', 'Reden van afsluiten',
  'Toelichting bij afsluiten', 'Laatst gewijzigd',
];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('exports: the overview as .xlsx and CSV, one report as PDF', () => {
  let t: TestApp;
  let school: TestSchool;
  let other: TestSchool;
  let amsterdam: Caller;
  let utrecht: Caller;
  const filed: { number: number; pgn: string; kind: string }[] = [];
  let otherNumber: number;
  let closed: number;

  const luxe = (s: TestSchool, i: number, pupil: Record<string, unknown> = {}) =>
    reportBody(s, { kind: 'LUXE', endDate: null, daysMissed: i, hoursMissed: 6 * i }, { pgn: bsn(61000 + i * 13), birthDate: bornAged(12), ...pupil });

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool('Exportschool');
    other = await t.newSchool('Andere school');
    amsterdam = await t.keyFor('GM0363');
    utrecht = await t.keyFor('GM0344');
    for (let i = 1; i <= 6; i++) {
      const body = luxe(school, i, i === 2 ? { initials: '=1+1', prefix: undefined, surname: 'Formule' } : i === 3 ? { initials: '@SUM', surname: 'A1' } : {});
      const res = await school.post('/api/v1/reports', body).expect(201);
      filed.push({ number: res.body.number, pgn: body.pupil.pgn as string, kind: 'LUXE' });
    }
    const u16 = reportBody(school, {}, { pgn: bsn(99001) });
    const res = await school.post('/api/v1/reports', u16).expect(201);
    filed.push({ number: res.body.number, pgn: u16.pupil.pgn as string, kind: '16U' });
    closed = filed[0].number;
    await amsterdam.post(`/api/v1/reports/${closed}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    await amsterdam.post(`/api/v1/reports/${closed}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
    otherNumber = (await other.post('/api/v1/reports', luxe(other, 40, {
      registeredAddress: { street: 'Oudegracht', houseNumber: 1, postcode: '3511 AA', place: 'Utrecht', municipalityCode: 'GM0344' },
    })).expect(201)).body.number;
  });
  afterAll(() => t.stop());

  const download = (c: Caller, path: string) => c.get(path).buffer(true).parse(binary);

  it('exports every matching report as a spreadsheet with a frozen header, an autofilter, real numbers and dates', async () => {
    const res = await download(school, '/api/v1/reports/export?format=xlsx').expect(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="meldingen-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    expect([res.headers['cache-control'], res.headers['x-total-count']]).toEqual(['no-store', String(filed.length)]);
    const sheet = await readXlsx(res.body as Buffer);
    expect(sheet.getRow(1).values).toEqual([undefined, ...HEADER]);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe(`A1:R${filed.length + 1}`); // the header and every row under it
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    const rows = Array.from({ length: sheet.rowCount - 1 }, (_, i) => sheet.getRow(i + 2));
    const numbers = rows.map((r) => r.getCell(1).value);
    expect(numbers).toEqual(filed.map((f) => f.number).sort((a, b) => b - a));
    expect(numbers).not.toContain(otherNumber);
    const row = rows.find((r) => r.getCell(1).value === closed)!;
    expect(row.getCell(4).value).toBe(filed[0].pgn);
    expect(row.getCell(2).value).toBe('Afgesloten');
    expect(row.getCell(6).value).toEqual(new Date(`${bornAged(12)}T00:00:00Z`));
    expect(row.getCell(6).numFmt).toBe('dd-mm-yyyy');
    expect(row.getCell(11).value).toBeInstanceOf(Date);
    expect(Math.abs((row.getCell(11).value as Date).getTime() - Date.now())).toBeLessThan(3 * 3600_000); // Dutch wall clock
    expect(row.getCell(12).value).toEqual(new Date(`${daysAgo(14)}T00:00:00Z`));
    expect([row.getCell(14).value, row.getCell(15).value]).toEqual([1, 6]);
    expect(row.getCell(16).value).toMatch(/terug naar school/i);
    // Text that looks like a formula stays text: no cell of the file is a formula.
    const formula = rows.find((r) => String(r.getCell(5).value).startsWith('=1+1'))!;
    expect(formula.getCell(5).type).toBe(3 /* ValueType.String */);
    expect(rows.flatMap((r) => HEADER.map((_, i) => r.getCell(i + 1).formula)).filter(Boolean)).toEqual([]);
  });

  it('exports CSV in UTF-8 with a byte order mark and semicolons, with formulas made harmless', async () => {
    const res = await download(school, '/api/v1/reports/export?format=csv&kind=LUXE').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = readCsv(res.body as Buffer);
    expect(header).toEqual(HEADER);
    expect(rows.map((r) => Number(r[0]))).toEqual(filed.filter((f) => f.kind === 'LUXE').map((f) => f.number).sort((a, b) => b - a));
    expect(rows.map((r) => r[4])).toEqual(expect.arrayContaining(["'=1+1 Formule", "'@SUM van A1"]));
    const first = rows.find((r) => Number(r[0]) === closed)!;
    expect(first[3]).toBe(filed[0].pgn);
    expect(first[5]).toBe(bornAged(12).split('-').reverse().join('-'));
    expect(first[10]).toMatch(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}$/);
    expect(first[5 + 8]).toBe('1');
  });

  it('applies the overview filters and logs the export with its filter and row count, never the PGN', async () => {
    const res = await download(school, '/api/v1/reports/export?format=csv&status=AFGESLOTEN&location=' + school.org.code + '01').expect(200);
    expect(readCsv(res.body as Buffer).slice(1).map((r) => Number(r[0]))).toEqual([closed]);
    const [entry] = await t.db.query(
      `SELECT details FROM audit_event WHERE action = 'REPORTS_EXPORTED' AND organisation_id = $1 ORDER BY id DESC LIMIT 1`, [school.org.id],
    );
    expect(entry.details).toEqual({ format: 'CSV', filter: { status: 'AFGESLOTEN', location: `${school.org.code}01` }, count: 1 });
    const logged = JSON.stringify(await t.db.query(`SELECT details FROM audit_event WHERE action = 'REPORTS_EXPORTED'`));
    for (const f of filed) expect(logged).not.toContain(f.pgn);
  });

  it("gives a receiver the reports routed to it and nobody another organisation's", async () => {
    const mine = await download(amsterdam, '/api/v1/reports/export?format=csv').expect(200);
    const numbers = readCsv(mine.body as Buffer).slice(1).map((r) => Number(r[0]));
    expect(numbers).toEqual(expect.arrayContaining(filed.map((f) => f.number)));
    expect(numbers).not.toContain(otherNumber);
    const theirs = await download(utrecht, '/api/v1/reports/export?format=csv').expect(200);
    expect(readCsv(theirs.body as Buffer).slice(1).map((r) => Number(r[0]))).toEqual([otherNumber]);
    const otherSchool = await download(other, '/api/v1/reports/export?format=xlsx').expect(200);
    expect(otherSchool.headers['x-total-count']).toBe('1');
    const operator = await t.keyFor('OPERATOR');
    await operator.get('/api/v1/reports/export?format=csv').expect(403);
    await request(t.http).get('/api/v1/reports/export?format=csv').expect(401);
  });

  it('exports only the ticked reports the caller sees, the numbers in the body', async () => {
    const ticked = [filed[1].number, filed[2].number, otherNumber];
    const res = await school.post('/api/v1/reports/export', { format: 'xlsx', numbers: ticked }).buffer(true).parse(binary).expect(200);
    expect(res.headers['x-total-count']).toBe('2');
    const sheet = await readXlsx(res.body as Buffer);
    expect([sheet.getRow(2).getCell(1).value, sheet.getRow(3).getCell(1).value, sheet.rowCount]).toEqual([filed[2].number, filed[1].number, 3]);
    const [entry] = await t.db.query(`SELECT details FROM audit_event WHERE action = 'REPORTS_EXPORTED' AND organisation_id = $1 ORDER BY id DESC LIMIT 1`, [school.org.id]);
    expect(entry.details).toEqual({ format: 'XLSX', numbers: [filed[2].number, filed[1].number], count: 2 });
  });

  it.each([
    ['/api/v1/reports/export', 'format'],
    ['/api/v1/reports/export?format=pdf', 'format'],
    ['/api/v1/reports/export?format=xlsx&location=x', 'location'],
    ['/api/v1/reports/export?format=xlsx&from=2026-02-30', 'from'],
    ['/api/v1/reports/export?format=xlsx&number=-1', 'number'],
    ['/api/v1/reports/export?format=xlsx&limit=5', 'limit'],
    ['/api/v1/reports/export?format=xlsx&status=OPEN', 'status'],
    ['/api/v1/reports/export?format=xlsx&__proto__=1', '__proto__'],
    ['/api/v1/reports/export?format=xlsx&constructor[prototype][x]=1', 'constructor[prototype][x]'],
    ['/api/v1/reports/export?format=xlsx&kind=%00', 'kind'],
    ['/api/v1/reports/export?format=csv&format=xlsx', 'format'],
  ])('refuses %s naming the field', async (path, field) => {
    const res = await school.get(path).expect(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each([
    [{ format: 'csv', numbers: [] }, 'numbers'],
    [{ format: 'csv', numbers: ['1'] }, 'numbers'],
    [{ format: 'csv', numbers: [1, 1] }, 'numbers'],
    [{ format: 'csv', numbers: Array.from({ length: 1001 }, (_, i) => i + 1) }, 'numbers'],
    [{ format: 'csv', numbers: [0] }, 'numbers'],
    [{ numbers: [1] }, 'format'],
    [{ format: 'csv', numbers: [1], pgn: '123456782' }, 'pgn'],
  ])('refuses the selection %j naming the field', async (body, field) => {
    const res = await school.post('/api/v1/reports/export', body).expect(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('reads all rows in keyset batches (of 2 here), each report once, newest first', async () => {
    const exports = t.app.get(ReportExportsService);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const schoolActor: Actor = {
      type: 'API_KEY', id: '00000000-0000-4000-8000-000000000001', name: 'Batchtest', organisationId: school.org.id, organisationType: school.org.type,
      organisationCode: school.org.code, roles: ['melder'], permissions: new Set(),
    };
    const prepared = await exports.prepare(schoolActor, { filters: {} }, 'csv', 2);
    await expect(prepared.write(out)).resolves.toBe(filed.length);
    const numbers = readCsv(Buffer.concat(chunks)).slice(1).map((r) => Number(r[0]));
    expect(numbers).toEqual(filed.map((f) => f.number).sort((a, b) => b - a));
  });

  describe('one report as PDF', () => {
    let number: number;
    beforeAll(async () => {
      const long = Array.from({ length: 40 }, (_, i) => `Regel ${i + 1} van de toelichting: de leerling bleef thuis en de school belde de ouders.`).join(' ');
      const body = luxe(school, 9, { surname: 'Archiefmans' });
      number = (await school.post('/api/v1/reports', { ...body, absenceExplanation: long, schoolAction: long }).expect(201)).body.number;
      for (let i = 1; i <= 12; i++) await amsterdam.post(`/api/v1/reports/${number}/messages`, { body: `Bericht ${i}: ${long.slice(0, 600)}` }).expect(201);
      await amsterdam.post(`/api/v1/reports/${number}/status`, { status: 'IN_BEHANDELING' }).expect(200);
      await request(t.http).post(`/api/v1/reports/${number}/attachments`).set('Authorization', `Bearer ${school.key}`)
        .field('description', 'Verzuimoverzicht oktober').attach('file', Buffer.from('%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n'), 'overzicht.pdf')
        .expect(201);
    });

    it('holds every field, the messages and the history as text, with the number and date on every page', async () => {
      const res = await download(school, `/api/v1/reports/${number}/pdf`).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="melding-${number}.pdf"`);
      const { pageCount, pages } = pdfPages(res.body as Buffer);
      expect(pageCount).toBeGreaterThanOrEqual(3);
      expect(pages).toHaveLength(pageCount);
      pages.forEach((page, i) => {
        expect(page).toContain(`Meldingsnummer ${number}`);
        expect(page).toMatch(/Afgedrukt op \d{1,2} \w+ \d{4}/);
        expect(page).toContain(`pagina ${i + 1} van ${pageCount}`);
      });
      const text = pages.join('\n');
      for (const label of ['Leerling', 'BSN', 'Geboortedatum', 'Soort verzuim', 'Vermoedelijke reden', 'Melder', 'Ontvanger', 'Berichten', 'Geschiedenis']) expect(text).toContain(label);
      expect(text).toContain('Archiefmans');
      expect(text).toContain(bsn(61000 + 9 * 13));
      expect(text).toContain('Bericht 12:');
      expect(text).toMatch(/Status gewijzigd, door/);
      expect(text).toContain('Coördinator'); // WinAnsi: Dutch letters as text
      expect(text).toMatch(/Bijlagen[\s\S]*overzicht\.pdf[\s\S]*Verzuimoverzicht oktober/); // the list, not the files
    });

    it("logs the export, and answers 404 for another organisation's report", async () => {
      await download(amsterdam, `/api/v1/reports/${number}/pdf`).expect(200);
      const [entry] = await t.db.query(
        `SELECT subject_id, details FROM audit_event WHERE action = 'REPORTS_EXPORTED' AND subject_type = 'REPORT' ORDER BY id DESC LIMIT 1`,
      );
      expect(entry).toEqual({ subject_id: String(number), details: { format: 'PDF' } });
      await utrecht.get(`/api/v1/reports/${number}/pdf`).expect(404);
      await other.get(`/api/v1/reports/${number}/pdf`).expect(404);
      await school.get('/api/v1/reports/0/pdf').expect(404);
      await school.get('/api/v1/reports/99999999999/pdf').expect(404);
    });
  });

  describe('from the pages', () => {
    let agent: ReturnType<typeof request.agent>;
    let csrf: string;
    beforeAll(async () => {
      const melder = await activePerson(t, school.org.code, { username: 'export.melder', email: 'export.melder@example.org', roles: ['melder'] });
      ({ agent, csrf } = await signIn(t, melder));
    });

    it('links the whole overview as Excel and CSV with its filters, and the report page to its PDF', async () => {
      const page = await agent.get('/meldingen?kind=LUXE').expect(200);
      expect(page.text).toContain('href="/meldingen/export?kind&#x3D;LUXE&amp;formaat&#x3D;xlsx"');
      expect(page.text).toContain('href="/meldingen/export?kind&#x3D;LUXE&amp;formaat&#x3D;csv"');
      const file = await agent.get('/meldingen/export?kind=LUXE&formaat=xlsx').buffer(true).parse(binary).expect(200);
      const sheet = await readXlsx(file.body as Buffer);
      const listed = await school.get('/api/v1/reports?kind=LUXE&limit=200').expect(200);
      expect(sheet.rowCount - 1).toBe(listed.body.reports.length);
      expect(sheet.getColumn(1).values.slice(2)).toEqual(listed.body.reports.map((r: { number: number }) => r.number));
      const report = await agent.get(`/meldingen/${closed}`).expect(200);
      expect(report.text).toContain(`href="/meldingen/${closed}/pdf"`);
      const pdf = await agent.get(`/meldingen/${closed}/pdf`).buffer(true).parse(binary).expect(200);
      expect(pdfPages(pdf.body as Buffer).pages[0]).toContain(`Verzuimmelding ${closed}`);
    });

    it('sends wrong filters back to the overview, which names them', async () => {
      const res = await agent.get('/meldingen/export?formaat=csv&location=x&status=AFGESLOTEN').expect(303);
      expect(res.headers.location).toBe('/meldingen?status=AFGESLOTEN&location=X');
      const page = await agent.get(res.headers.location).expect(422);
      expect(page.text).toContain('Vestiging');
    });

    it('downloads the ticked reports as Excel', async () => {
      const res = await agent.post('/meldingen/selectie').type('form').send(`_csrf=${csrf}&formaat=xlsx&nummers=${filed[3].number}&nummers=${otherNumber}`)
        .buffer(true).parse(binary).expect(200);
      const sheet = await readXlsx(res.body as Buffer);
      expect([sheet.rowCount, sheet.getRow(2).getCell(1).value]).toEqual([2, filed[3].number]);
    });

    it('answers 404 for the PDF of a report the school does not see', async () => {
      await agent.get(`/meldingen/${otherNumber}/pdf`).expect(404);
    });
  });
});
