import { ApiProperty } from '@nestjs/swagger';
import { OrganisationType } from '../kernel/organisation-type';
import { OrganisationRef } from '../reports/report.view';

/** One attachment of a report as both sides see it (its content comes from its own download). */
export class AttachmentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'verzuimoverzicht.pdf', description: 'De bestandsnaam zoals verstuurd, ontdaan van tekens die in een downloadkop niet passen' })
  fileName: string;
  @ApiProperty({ example: 'Verzuimoverzicht september-oktober', description: 'Omschrijving, eventueel leeg' }) description: string;
  @ApiProperty({
    example: 'application/pdf',
    description: 'Het soort bestand, herkend aan de inhoud',
    enum: [
      'application/pdf', 'image/png', 'image/jpeg', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv; charset=utf-8', 'text/plain; charset=utf-8',
    ],
  })
  mediaType: string;
  @ApiProperty({ type: 'integer', example: 183_204, description: 'Grootte in bytes' }) size: number;
  @ApiProperty({ type: OrganisationRef, description: 'Wie de bijlage toevoegde: de school of de ontvanger' }) addedBy: OrganisationRef;
  @ApiProperty({ example: 'J. de Vries', description: 'Naam van de persoon of API-sleutel' }) actorName: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ example: '/api/v1/reports/12/attachments/5b1e…', description: 'Waar de inhoud te downloaden is' }) href: string;
}

/** A row of the attachment list with its organisation, as the query returns it. */
export interface AttachmentRow {
  id: string;
  file_name: string;
  description: string;
  media_type: string;
  size: number;
  chunk_count: number;
  actor_name: string;
  created_at: Date;
  org_id: string;
  org_code: string;
  org_name: string;
  org_type: OrganisationType;
}

export function attachmentView(number: number, r: AttachmentRow): AttachmentView {
  return {
    id: r.id, fileName: r.file_name, description: r.description, mediaType: r.media_type, size: r.size,
    addedBy: { code: r.org_code, name: r.org_name, type: r.org_type }, actorName: r.actor_name, createdAt: r.created_at.toISOString(),
    href: `/api/v1/reports/${number}/attachments/${r.id}`,
  };
}
