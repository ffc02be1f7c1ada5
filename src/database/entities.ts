import { Attachment, AttachmentChunk } from '../attachments/attachment.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { ApiKey } from '../identity/api-key.entity';
import { ClientThrottle } from '../identity/client-throttle.entity';
import { FirstRunLink } from '../identity/first-run-link.entity';
import { HardwareToken } from '../identity/hardware-token.entity';
import { RateLimit } from '../identity/rate-limit.entity';
import { Session } from '../identity/session.entity';
import { User } from '../identity/user.entity';
import { OutboxMessage } from '../notifications/outbox-message.entity';
import { Location } from '../organisations/location.entity';
import { Organisation } from '../organisations/organisation.entity';
import { Reporter } from '../organisations/reporter.entity';
import { MonthlyReport } from '../reporting/monthly-report.entity';
import { RoutingRule } from '../organisations/routing-rule.entity';
import { IdempotencyKey } from '../reports/idempotency-key.entity';
import { ReportAssignment } from '../reports/report-assignment.entity';
import { ReportEvent } from '../reports/report-event.entity';
import { ReportMessage } from '../reports/report-message.entity';
import { ReportReadMark } from '../reports/report-read-mark.entity';
import { Report } from '../reports/report.entity';
import { DestructionRecord } from '../retention/destruction-record.entity';
import { JobRun } from '../retention/job-run.entity';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity';
import { WebhookMessage } from '../webhooks/webhook-message.entity';
import { KeptInput } from '../web/kept-input.entity';

/** Every entity of the service; the migrations must describe exactly these (checked in CI). */
export const ENTITIES = [Organisation, Location, Reporter, RoutingRule, Report, ReportEvent, ReportMessage, IdempotencyKey, ReportAssignment, ReportReadMark, ApiKey,
  User, Session, HardwareToken, ClientThrottle, RateLimit, AuditEvent, OutboxMessage,
  WebhookEndpoint, WebhookMessage, WebhookDelivery, KeptInput, Attachment, AttachmentChunk, DestructionRecord, JobRun, MonthlyReport, FirstRunLink];
