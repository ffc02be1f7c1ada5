import request from 'supertest';
import { checkedAgainstContract } from './support/contract';
import { EICAR, FakeClamd } from './support/fake-clamd';
import { expectProblem, fieldErrors } from './support/problems';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';
import { feedCaughtUp } from './support/until';
import { DOCX_MAIN, office, XLSM_MAIN, XLSX_MAIN, zip } from './support/zip';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 3)]);
const CFB = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512, 0)]);
/** Bytes that never occur by chance, to look for in the stored chunks. */
const MARKER = 'Zwaluwstaart-verzuimkaart-4711';

describe('attachments (aanvullingen): stored encrypted, recognised by content, scanned, on both sides', () => {
  let t: TestApp;
  let clamd: FakeClamd;
  let school: TestSchool;
  let amsterdam: Caller;
  let number: number;

  function upload(caller: Caller, n: number, name: string, content: Buffer | string, description?: string) {
    const path = `/api/v1/reports/${n}/attachments`;
    const req = request(t.http).post(path).set('Authorization', `Bearer ${caller.key}`);
    if (description !== undefined) req.field('description', description);
    return checkedAgainstContract(t.app, 'post', path, req.attach('file', Buffer.from(content), name));
  }
  const download = (caller: Caller, href: string) =>
    request(t.http).get(href).set('Authorization', `Bearer ${caller.key}`).buffer(true).parse((res, done) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => done(null, Buffer.concat(parts)));
    });
  const stored = async () => (await t.db.query('SELECT (SELECT count(*)::int FROM attachment) AS a, (SELECT count(*)::int FROM attachment_chunk) AS c'))[0];
  let pupils = 0;
  const file = async (caller: Caller) => (await caller.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(5100 + ++pupils) })).expect(201)).body.number as number;

  beforeAll(async () => {
    clamd = await new FakeClamd().start();
    t = await TestApp.start({ ATTACHMENT_MAX_MB: '1', CLAMAV_URL: clamd.url, CLAMAV_TIMEOUT_SECONDS: '5' });
    school = await t.newSchool('Bijlagenschool');
    amsterdam = await t.keyFor('GM0363', ['behandelaar']);
    number = await file(school);
  });
  afterAll(async () => {
    await t?.stop();
    await clamd?.stop();
  });

  it('lets the school and the receiver add, list and download; the download is exact, typed, not sniffed, not cached and audited', async () => {
    const added = await upload(school, number, 'verzuim: overzicht <sept>.pdf', PDF, 'Verzuimoverzicht september').expect(201);
    expect(added.body).toMatchObject({
      fileName: 'verzuim overzicht sept.pdf', description: 'Verzuimoverzicht september', mediaType: 'application/pdf', size: PDF.length,
      addedBy: { code: school.org.code, type: 'SCHOOL' },
    });
    expect(added.headers.location).toBe(added.body.href);
    const png = await upload(amsterdam, number, 'foto.PNG', PNG).expect(201);
    expect(png.body).toMatchObject({ mediaType: 'image/png', description: '', addedBy: { code: 'GM0363' } });

    for (const caller of [school, amsterdam]) {
      const list = await caller.get(`/api/v1/reports/${number}/attachments`).expect(200);
      expect(list.body.map((a: { fileName: string }) => a.fileName)).toEqual(['verzuim overzicht sept.pdf', 'foto.PNG']);
    }
    const got = await download(amsterdam, added.body.href).expect(200);
    expect(Buffer.compare(got.body as Buffer, PDF)).toBe(0);
    expect(got.headers).toMatchObject({
      'content-type': 'application/pdf', 'content-length': String(PDF.length), 'x-content-type-options': 'nosniff', 'cache-control': 'no-store',
      'content-disposition': `attachment; filename="verzuim overzicht sept.pdf"; filename*=UTF-8''verzuim%20overzicht%20sept.pdf`,
    });
    const audited = await t.db.query(`SELECT actor_name FROM audit_event WHERE action = 'REPORT_READ' AND details->>'attachment' = $1`, [added.body.id]);
    expect(audited).toHaveLength(1);
  });

  it('records each addition as a change: history and feed (version 1 says GEWIJZIGD, field attachments), and an e-mail to the other side without the file', async () => {
    const history = await school.get(`/api/v1/reports/${number}/history`).expect(200);
    const changes = history.body.filter((h: { changes: { field: string }[] }) => h.changes.some((c) => c.field === 'attachments'));
    expect(changes.map((h: { type: string; organisation: { code: string } }) => `${h.type} ${h.organisation.code}`)).toEqual(['GEWIJZIGD ' + school.org.code, 'GEWIJZIGD GM0363']);
    expect(changes[0].changes[0]).toMatchObject({ from: null, to: expect.stringContaining('verzuim overzicht sept.pdf') });
    await feedCaughtUp(t.db);
    const feed = await amsterdam.get('/api/v1/changes').expect(200);
    expect(feed.body.changes.filter((c: { reportNumber: number }) => c.reportNumber === number).map((c: { type: string }) => c.type)).toEqual(['INGEDIEND', 'GEWIJZIGD', 'GEWIJZIGD']);
    const mails: { recipient: string; data: Record<string, unknown> }[] = await t.db.query(
      `SELECT o.recipient, o.data FROM outbox_message o JOIN report_event e ON e.id = o.event_id JOIN report r ON r.id = e.report_id
        WHERE r.number = $1 AND e.type = 'BIJLAGE_TOEGEVOEGD' ORDER BY o.id`, [number]);
    expect(mails.map((m) => m.recipient)).toEqual([school.reporter.email.toLowerCase()]); // the receiver's addition, to the school
    expect(JSON.stringify(mails)).not.toMatch(/foto|verzuim overzicht|PNG/);
  });

  it('stores the content only encrypted, in chunks of at most 256 KiB, and streams it back whole', async () => {
    const text = `${MARKER}\n`.repeat(Math.ceil((600 * 1024) / (MARKER.length + 1)));
    const added = await upload(school, number, 'lijst.csv', text).expect(201);
    expect(added.body).toMatchObject({ mediaType: 'text/csv; charset=utf-8', size: Buffer.byteLength(text) });
    const chunks: { index: number; len: number; marker: boolean }[] = await t.db.query(
      `SELECT index, length(data) AS len, position($2::bytea IN data) > 0 AS marker FROM attachment_chunk WHERE attachment_id = $1 ORDER BY index`,
      [added.body.id, Buffer.from(MARKER)],
    );
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(chunks.every((c) => c.len <= 256 * 1024 + 28 && !c.marker)).toBe(true);
    expect(clamd.scanned.at(-1)).toBe(Buffer.byteLength(text));
    expect(clamd.largestChunk).toBeLessThanOrEqual(256 * 1024);
    const got = await download(school, added.body.href).expect(200);
    expect((got.body as Buffer).toString()).toBe(text);
    // A chunk moved to another place does not open: the download is cut off, never wrong.
    await t.db.query(
      `UPDATE attachment_chunk c SET data = o.data FROM attachment_chunk o
        WHERE c.attachment_id = $1 AND o.attachment_id = $1 AND ((c.index = 0 AND o.index = 1) OR (c.index = 1 AND o.index = 0))`, [added.body.id]);
    await expect(download(school, added.body.href)).rejects.toThrow();
    await school.delete(`/api/v1/reports/${number}/attachments/${added.body.id}`).expect(204);
  });

  const REFUSED: [string, string, Buffer | string, number, string, RegExp][] = [
    ['a program', 'rapport.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]), 422, 'NOT_ALLOWED_VALUE', /programma/],
    ['a script', 'lijst.txt', '#!/bin/sh\nrm -rf /\n', 422, 'NOT_ALLOWED_VALUE', /programma of script/],
    ['a PNG named .pdf', 'scan.pdf', PNG, 422, 'INVALID_FORMAT', /eindigt op \.pdf, maar het bestand is een PNG-afbeelding/],
    ['a JPEG without extension', 'foto', JPEG, 422, 'INVALID_FORMAT', /moet eindigen op \.jpg of \.jpeg/],
    ['text with another extension', 'notitie.html', '<p>hallo</p>', 422, 'NOT_ALLOWED_VALUE', /niet aangenomen \(\.html\)/],
    ['text with a NUL', 'lijst.txt', 'a\u0000b', 422, 'INVALID_FORMAT', /geen tekst in UTF-8/],
    ['text that is not UTF-8', 'lijst.csv', Buffer.from([0x61, 0xc3, 0x28, 0x62]), 422, 'INVALID_FORMAT', /geen tekst in UTF-8/],
    ['an encrypted Office file', 'geheim.docx', CFB, 422, 'NOT_ALLOWED_VALUE', /wachtwoord/],
    ['a macro-enabled workbook', 'macro.xlsx', office(XLSM_MAIN), 422, 'NOT_ALLOWED_VALUE', /macro/],
    ['a vbaProject.bin', 'macro.docx', office(DOCX_MAIN, [{ name: 'word/vbaProject.bin', data: Buffer.alloc(10) }]), 422, 'NOT_ALLOWED_VALUE', /macro/],
    ['an encrypted ZIP entry', 'document.docx', office(DOCX_MAIN, [{ name: 'x.xml', data: 'x', flags: 1 }]), 422, 'NOT_ALLOWED_VALUE', /versleutelde/],
    ['a plain ZIP', 'archief.docx', zip([{ name: 'a.txt', data: 'a' }]), 422, 'NOT_ALLOWED_VALUE', /geen Word- of Excel-document/],
    ['a docx named .xlsx', 'werkmap.xlsx', office(DOCX_MAIN), 422, 'INVALID_FORMAT', /Word-document/],
    ['a ZIP bomb', 'bom.xlsx', office(XLSX_MAIN, [{ name: 'xl/sheet.xml', data: Buffer.alloc(8 * 1024 * 1024) }]), 422, 'TOO_LARGE', /zip-bom/],
    ['a broken ZIP', 'kapot.docx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)]), 422, 'NOT_ALLOWED_VALUE', /beschadigd/],
    ['an empty file', 'leeg.txt', '', 422, 'TOO_SMALL', /leeg/],
    ['a virus', 'eicar.txt', EICAR, 422, 'NOT_ALLOWED_VALUE', /virusscanner vond Eicar-Test-Signature/],
    ['a file over ATTACHMENT_MAX_MB', 'groot.pdf', Buffer.concat([PDF, Buffer.alloc(1024 * 1024)]), 413, 'TOO_LARGE', /groter dan 1 MB/],
  ];
  it.each(REFUSED)('refuses %s with a Dutch message naming the file, and stores nothing', async (_what, name, content, status, code, message) => {
    const before = await stored();
    const res = await upload(school, number, name, content).expect(status);
    expectProblem(res, status, status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED');
    const [error] = fieldErrors(res);
    expect(error).toMatchObject({ field: 'file', code });
    expect(error.message).toMatch(message);
    expect(await stored()).toEqual(before);
  });

  it('accepts Word and Excel files and JPEG photos recognised by their content', async () => {
    await upload(school, number, 'brief.docx', office(DOCX_MAIN)).expect(201).expect((r) => expect(r.body.mediaType).toMatch(/wordprocessingml/));
    await upload(amsterdam, number, 'overzicht.xlsx', office(XLSX_MAIN)).expect(201).expect((r) => expect(r.body.mediaType).toMatch(/spreadsheetml/));
    await upload(school, number, 'foto.jpeg', JPEG).expect(201);
  });

  it('refuses every upload while the scanner is unreachable or hangs up, rather than storing a file unscanned', async () => {
    const before = await stored();
    clamd.mode = 'hangup';
    let res = await upload(school, number, 'brief.pdf', PDF).expect(422);
    expect(fieldErrors(res)[0].message).toMatch(/niet op virussen worden gecontroleerd/);
    clamd.mode = 'scan';
    await clamd.stop();
    res = await upload(school, number, 'brief.pdf', PDF).expect(422);
    expect(fieldErrors(res)[0].message).toMatch(/virusscanner is niet bereikbaar/);
    expect(await stored()).toEqual(before);
    await clamd.start();
    await upload(school, number, 'brief.pdf', PDF).expect(201);
  });

  it('refuses a second file, a missing file, a description too long, and a body that is not multipart', async () => {
    const path = `/api/v1/reports/${number}/attachments`;
    const post = () => checkedAgainstContract(t.app, 'post', path, request(t.http).post(path).set('Authorization', `Bearer ${school.key}`));
    expect(fieldErrors(await post().field('description', 'zonder bestand').expect(422))[0]).toMatchObject({ field: 'file', code: 'REQUIRED' });
    expect(fieldErrors(await post().field('description', 'x'.repeat(501)).attach('file', PDF, 'a.pdf').expect(422))[0]).toMatchObject({ field: 'description', code: 'TOO_LONG' });
    expect(fieldErrors(await post().attach('file', PDF, 'a.pdf').attach('file', PDF, 'b.pdf').expect(422))[0]).toMatchObject({ field: 'file' });
    expectProblem(await post().send({ file: 'x' }).expect(415), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('shows a report\'s attachments only to the filing school and the current receiver; a lezer reads but does not add', async () => {
    const n = await file(school);
    const added = await upload(school, n, 'a.pdf', PDF).expect(201);
    const other = await t.newSchool('Andere school');
    const rotterdam = await t.keyFor('GM0599', ['behandelaar']);
    for (const stranger of [other, rotterdam]) {
      await stranger.get(`/api/v1/reports/${n}/attachments`).expect(404);
      await upload(stranger, n, 'b.pdf', PDF).expect(404);
      await stranger.get(added.body.href).expect(404);
    }
    const lezer = await t.keyFor(school.org.code, ['lezer']);
    await lezer.get(`/api/v1/reports/${n}/attachments`).expect(200);
    await upload(lezer, n, 'b.pdf', PDF).expect(403);
    // Forwarded: the new receiver sees them, the previous one no longer.
    await amsterdam.post(`/api/v1/reports/${n}/forward`, { to: 'GM0599' }).expect(200);
    await amsterdam.get(`/api/v1/reports/${n}/attachments`).expect(404);
    await rotterdam.get(`/api/v1/reports/${n}/attachments`).expect(200);
    await upload(rotterdam, n, 'terug.pdf', PDF).expect(201);
  });

  it('lets the school remove its own while the report is open; the history keeps that it existed', async () => {
    const n = await file(school);
    const own = await upload(school, n, 'eigen.pdf', PDF).expect(201);
    const theirs = await upload(amsterdam, n, 'gemeente.pdf', PDF).expect(201);
    await amsterdam.delete(`/api/v1/reports/${n}/attachments/${own.body.id}`).expect(403);
    await school.delete(`/api/v1/reports/${n}/attachments/${theirs.body.id}`).expect(404);
    await school.delete(`/api/v1/reports/${n}/attachments/${own.body.id}`).expect(204);
    await school.get(own.body.href).expect(404);
    const history = await amsterdam.get(`/api/v1/reports/${n}/history`).expect(200);
    expect(history.body.at(-1)).toMatchObject({ type: 'GEWIJZIGD', changes: [{ field: 'attachments', from: 'eigen.pdf', to: null }] });
    const again = await upload(school, n, 'nog een.pdf', PDF).expect(201);
    const now = await school.get(`/api/v1/reports/${n}`).expect(200);
    await school.post(`/api/v1/reports/${n}/withdraw`, {}).set('If-Match', now.headers.etag).expect(200);
    expectProblem(await school.delete(`/api/v1/reports/${n}/attachments/${again.body.id}`).expect(409), 409, 'REPORT_CLOSED');
    expectProblem(await upload(school, n, 'laat.pdf', PDF).expect(409), 409, 'REPORT_CLOSED');
  });

  it('never lets parallel uploads make more than 20 attachments on one report', async () => {
    const n = await file(school);
    for (let i = 0; i < 17; i++) await upload(school, n, `deel ${i}.txt`, `regel ${i}\n`).expect(201);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => upload(i % 2 ? amsterdam : school, n, `tegelijk ${i}.txt`, `tegelijk ${i}\n`)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 422, 422, 422]);
    for (const r of results.filter((x) => x.status === 422)) expect(fieldErrors(r)[0]).toMatchObject({ field: 'file', code: 'TOO_MANY' });
    const [{ count }] = await t.db.query('SELECT count(*)::int AS count FROM attachment a JOIN report r ON r.id = a.report_id WHERE r.number = $1', [n]);
    expect(count).toBe(20);
  });
});
