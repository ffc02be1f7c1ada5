import { Logger } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { AppConfig } from '../config/app-config';

export interface OutgoingMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one e-mail or throws; `permanent` on the error says that trying again will not help. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * SMTP through a connection pool when SMTP_URL is set; otherwise every e-mail is written as an .eml file under
 * DATA_DIR/mail, with a log line that names the file (not the recipient).
 */
export function createMailTransport(config: AppConfig): MailTransport {
  const defaults = { from: config.MAIL_FROM, headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' } };
  if (config.SMTP_URL) {
    const smtp = nodemailer.createTransport(
      { url: config.SMTP_URL, pool: true, maxConnections: 4, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 },
      defaults,
    );
    return {
      async send(mail) {
        try {
          await smtp.sendMail(mail);
        } catch (error) {
          throw smtpError(error);
        }
      },
      close: () => smtp.close(),
    };
  }
  const folder = join(resolve(config.DATA_DIR), 'mail');
  const files = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, defaults);
  const logger = new Logger('Mail');
  return {
    async send(mail) {
      const info = await files.sendMail(mail);
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const file = join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.messageId.replace(/[^\w.-]/g, '')}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      logger.log(`E-mail geschreven naar ${file}`);
    },
    close: () => files.close(),
  };
}

/** 5xx is a rejection that will not change by trying again; 4xx, time-outs and lost connections may pass later. */
function smtpError(error: unknown): MailDeliveryError {
  const e = error as { responseCode?: number; code?: string; response?: string; message?: string };
  const code = e.responseCode;
  const text = (e.response ?? e.message ?? String(error)).replace(/\s+/g, ' ').slice(0, 500);
  return new MailDeliveryError(code ? `${code}: ${text}` : `${e.code ?? 'FOUT'}: ${text}`, code !== undefined && code >= 500 && code < 600);
}
