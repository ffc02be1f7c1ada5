import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  ValidationArguments,
  Max,
  Min,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { isIP } from 'node:net';
import { toFieldErrors } from '../common/validation';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
/** A list of the reverse proxies in front of the service, as express's "trust proxy" takes them. */
@ValidatorConstraint({ name: 'isTrustProxy' })
class IsTrustProxyList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    return trustedProxies(value).every((item) => {
      if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) return true;
      const [address, prefix, ...rest] = item.split('/');
      const version = isIP(address);
      if (version === 0 || rest.length > 0) return false;
      return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
    });
  }
}

/** WEBHOOK_CLAIM_SECONDS: a hold must outlast two attempts' time-outs, so that a slow receiver is not taken over mid-answer. */
@ValidatorConstraint({ name: 'exceedsTwiceTheTimeout' })
class ExceedsTwiceTheTimeout implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const timeout = (args.object as { WEBHOOK_TIMEOUT_SECONDS?: unknown }).WEBHOOK_TIMEOUT_SECONDS;
    return typeof value !== 'number' || typeof timeout !== 'number' || value > 2 * timeout;
  }
}

/** TRUST_PROXY as a list of names, addresses and subnets. */
export function trustedProxies(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  const v = String(value).toLowerCase();
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : value;
};

/**
 * The whole configuration of the service, read once from the environment at start.
 * Every variable is optional: the default run needs none. A bad value stops the start
 * with a message naming the variable.
 */
export class AppConfig {
  /** HTTP port. */
  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  /** Interface to listen on. */
  @IsString()
  HOST = '0.0.0.0';

  /** Where the embedded database, generated keys and (without SMTP_URL) the e-mail files live. */
  @IsString()
  DATA_DIR = './data';

  /** PostgreSQL connection string; without it the embedded PGlite database in DATA_DIR is used. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'moet een postgres://-verbindingsadres zijn' })
  DATABASE_URL?: string;

  /** Connections in the pool (ignored for the embedded database, which takes one). */
  @Transform(toInt) @IsInt() @Min(2) @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** Run pending migrations at start (under an advisory lock). Set false when operators migrate by CLI. */
  @Transform(toBool) @IsBoolean()
  MIGRATIONS_RUN = true;

  /**
   * 32-byte key (base64) that encrypts the pupil's PGN and keys its search hash. Required with DATABASE_URL,
   * so that all instances share it; the embedded default generates one into DATA_DIR on first start.
   */
  @ValidateIf((c: AppConfig) => c.DATABASE_URL !== undefined || c.PGN_ENCRYPTION_KEY !== undefined)
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'moet 32 bytes in base64 zijn (openssl rand -base64 32)' })
  PGN_ENCRYPTION_KEY?: string;

  /** The address people use to reach the service; used in links. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  PUBLIC_URL = 'http://localhost:3000';

  /** Largest accepted request body. */
  @Matches(/^\d+(kb|mb)$/)
  BODY_LIMIT = '256kb';

  /**
   * The reverse proxies in front of the service whose X-Forwarded-For names the client (comma-separated: loopback,
   * linklocal, uniquelocal, addresses, subnets such as 10.0.0.0/8). Without it the header is ignored: the client is
   * whoever connects, so nobody can choose the address that sign-in attempts and rate limits are counted against.
   */
  @IsOptional()
  @Validate(IsTrustProxyList, { message: 'moet een komma-gescheiden lijst zijn van loopback, linklocal, uniquelocal, IP-adressen of subnetten (10.0.0.0/8)' })
  TRUST_PROXY?: string;

  /** Seconds a client has to send a whole request (headers and body); a slower one gets 408 and is closed. */
  @Transform(toInt) @IsInt() @Min(1) @Max(600)
  REQUEST_TIMEOUT_SECONDS = 30;

  /** Requests per minute per caller (an API key, a person, or else a client address), over all instances. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Sign-in and activation requests per minute per client address, over all instances (on top of the failure counts). */
  @Transform(toInt) @IsInt() @Min(1) @Max(100_000)
  RATE_LIMIT_SIGN_IN_PER_MINUTE = 30;

  /** File uploads per hour per caller. */
  @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  RATE_LIMIT_UPLOADS_PER_HOUR = 30;

  /** Sign-ins a person may have waiting for their code at once; an older one ends when a newer one begins. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100)
  PENDING_SESSIONS_MAX = 3;

  /** Minutes a sign-in may wait for its code before it ends. */
  @Transform(toInt) @IsInt() @Min(1) @Max(60)
  PENDING_SESSION_MINUTES = 10;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** Port of the embedded database's loopback socket (0: any free port). */
  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  EMBEDDED_DB_PORT = 0;

  /** Minutes without activity after which a sign-in session ends. */
  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 60)
  SESSION_IDLE_MINUTES = 30;

  /** Hours after signing in at which a session ends, whatever the activity. */
  @Transform(toInt) @IsInt() @Min(1) @Max(7 * 24)
  SESSION_MAX_HOURS = 12;

  /** Hours an activation link or letter code stays valid. */
  @Transform(toInt) @IsInt() @Min(1) @Max(30 * 24)
  ACTIVATION_HOURS = 72;

  /**
   * SMTP server for notifications, e.g. smtp://user:pass@mail.example.nl:587 or smtps://...:465 (pooled connections).
   * Without it, every e-mail is written as an .eml file under DATA_DIR/mail and the log names the file.
   */
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'moet een smtp:// of smtps://-adres zijn' })
  SMTP_URL?: string;

  /** Sender of notifications. */
  @Matches(/^([^<>@]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, { message: 'moet een e-mailadres zijn, eventueel als "Naam <adres>"' })
  MAIL_FROM = 'Verzuimloket <noreply@verzuimloket.localhost>';

  /** Deliver the outbox from this instance (several instances may; each message goes out once). */
  @Transform(toBool) @IsBoolean()
  MAIL_WORKER = true;

  /** How often the worker looks for e-mail to send, in milliseconds. */
  @Transform(toInt) @IsInt() @Min(50) @Max(60_000)
  MAIL_POLL_MS = 2000;

  /** Attempts before a message is parked as failed. */
  @Transform(toInt) @IsInt() @Min(1) @Max(50)
  MAIL_MAX_ATTEMPTS = 8;

  /** Wait after the first temporary failure, in seconds; doubles with every further attempt. */
  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 3600)
  MAIL_RETRY_SECONDS = 60;

  /**
   * Seconds an instance holds a claimed message. When the instance dies before finishing, another takes it over
   * after this time; it must exceed the longest SMTP exchange (the transport times out after 60 s).
   */
  @Transform(toInt) @IsInt() @Min(1) @Max(3600)
  MAIL_CLAIM_SECONDS = 180;

  /** When the daily digest goes out, Dutch time (HH:MM). */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'moet een tijd als 07:00 zijn' })
  MAIL_DIGEST_TIME = '07:00';

  /** Largest attachment (aanvulling) in megabytes (MiB); checked while the file streams in. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100)
  ATTACHMENT_MAX_MB = 10;

  /**
   * clamd to scan every attachment before it is stored, as tcp://host:3310. A hit is refused, and so is every upload
   * while the scanner cannot be reached. Without it, attachments are not scanned.
   */
  @IsOptional()
  @Matches(/^tcp:\/\/[^\s/:]+:\d{1,5}$/, { message: 'moet een clamd-adres als tcp://clamav:3310 zijn' })
  CLAMAV_URL?: string;

  /** Seconds clamd may take to connect and answer a scan before the upload is refused. */
  @Transform(toInt) @IsInt() @Min(1) @Max(600)
  CLAMAV_TIMEOUT_SECONDS = 30;

  /** "production" turns on the strict rules for webhook addresses (https only, no private networks). */
  @IsString()
  NODE_ENV = 'development';

  /** Deliver webhooks from this instance (several instances may; each endpoint is served by one at a time, in order). */
  @Transform(toBool) @IsBoolean()
  WEBHOOK_WORKER = true;

  /** How often the webhook worker looks for due deliveries, in milliseconds (a change made in this instance wakes it sooner). */
  @Transform(toInt) @IsInt() @Min(50) @Max(60_000)
  WEBHOOK_POLL_MS = 500;

  /** Endpoints one instance sends to at once (each endpoint itself gets one request at a time, in order). */
  @Transform(toInt) @IsInt() @Min(1) @Max(200)
  WEBHOOK_CONCURRENCY = 8;

  /** Seconds a receiver has to answer (connecting included) before the attempt counts as a time-out. */
  @Transform(toInt) @IsInt() @Min(1) @Max(60)
  WEBHOOK_TIMEOUT_SECONDS = 10;

  /**
   * Seconds an instance holds an endpoint it sends to; it renews the hold while it works. After a crash another
   * instance takes over then, with the same webhook-id. Must exceed twice WEBHOOK_TIMEOUT_SECONDS.
   */
  @Transform(toInt) @IsInt() @Min(2) @Max(3600)
  @Validate(ExceedsTwiceTheTimeout, { message: 'moet groter zijn dan twee keer WEBHOOK_TIMEOUT_SECONDS' })
  WEBHOOK_CLAIM_SECONDS = 60;

  /** Wait after the first failed attempt, in seconds; doubles with every further attempt, up to WEBHOOK_RETRY_MAX_SECONDS. */
  @Transform(toInt) @IsInt() @Min(1) @Max(3600)
  WEBHOOK_RETRY_SECONDS = 5;

  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 3600)
  WEBHOOK_RETRY_MAX_SECONDS = 3600;

  /** An endpoint that failed for this long without a single success is disabled and its beheerders are e-mailed. */
  @Transform(toInt) @IsInt() @Min(1) @Max(30 * 24)
  WEBHOOK_DISABLE_AFTER_HOURS = 72;

  /** Days the delivery log keeps delivered and failed deliveries. */
  @Transform(toInt) @IsInt() @Min(1) @Max(3650)
  WEBHOOK_LOG_DAYS = 30;

  /**
   * The CloudEvents `source` of every event: a URN in the nld namespace naming the organisation that runs the service
   * and the system, as the NL GOV profile for CloudEvents recommends, e.g. urn:nld:oin:00000001234567890000:systeem:verzuimloket.
   */
  @Matches(/^urn:nld:[A-Za-z0-9][A-Za-z0-9:._-]*$/, { message: 'moet een URN zijn die begint met urn:nld:' })
  WEBHOOK_EVENT_SOURCE = 'urn:nld:verzuimloket';

  /**
   * In production, webhooks are not sent to loopback, private or link-local addresses (a beheerder could otherwise
   * reach the service's own network). Set true when receivers are reached over a private network on purpose.
   */
  @Transform(toBool) @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_NETWORKS = false;

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  get usesEmbeddedDatabase(): boolean {
    return this.DATABASE_URL === undefined;
  }

  /** Served over https: browsers are told to keep to it (HSTS). */
  get isHttps(): boolean {
    return this.PUBLIC_URL.startsWith('https://');
  }

  /** Plain http on this machine: cookies cannot be Secure, so they go without the __Host- prefix. */
  get isLocalHttp(): boolean {
    return /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(this.PUBLIC_URL);
  }
}

export class ConfigError extends Error {}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const raw: Record<string, string> = {};
  for (const key of [...known, 'DATABASE_URL', 'PGN_ENCRYPTION_KEY', 'SMTP_URL', 'TRUST_PROXY']) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw);
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = toFieldErrors(errors).map((e) => `  ${e.message}`);
    throw new ConfigError(`Ongeldige configuratie:\n${lines.join('\n')}`);
  }
  return config;
}
