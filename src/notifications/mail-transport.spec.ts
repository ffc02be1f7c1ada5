import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { createMailTransport } from './mail-transport';
import { MailTemplates } from './mail-templates';
import { MailTemplate } from './outbox-message.entity';

describe('the default mail transport (no SMTP_URL)', () => {
  it('writes each e-mail as an .eml file under DATA_DIR/mail, readable only by the service', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vzl-mail-'));
    try {
      const transport = createMailTransport(loadConfig({ DATA_DIR: dataDir }));
      const mail = new MailTemplates().render(MailTemplate.ACTIVATION, { organisation: 'Testschool', username: 'j.jansen', expires: '25 november 2026 om 13:00', link: 'http://localhost:3000/activeren?code=abc' });
      await transport.send({ messageId: '<0b5e8c1e-1111-4111-8111-111111111111@verzuimloket.localhost>', to: 'j.jansen@school.example', ...mail });
      transport.close();
      const files = readdirSync(join(dataDir, 'mail'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/0b5e8c1e-1111-4111-8111-111111111111verzuimloket\.localhost\.eml$/);
      const eml = readFileSync(join(dataDir, 'mail', files[0]), 'utf8');
      expect(eml).toContain('Subject: Activeer uw account voor Verzuimloket');
      expect(eml).toContain('Message-ID: <0b5e8c1e-1111-4111-8111-111111111111@verzuimloket.localhost>');
      expect(eml).toContain('To: j.jansen@school.example');
      expect(eml).toContain('From: Verzuimloket <noreply@verzuimloket.localhost>');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
